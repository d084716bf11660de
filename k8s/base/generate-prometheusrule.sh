#!/usr/bin/env bash
# Rewrites prometheusrule.yaml and policyrec-dashboard.json from their sources in deploy/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cp "$here/../../deploy/grafana/policyrec-dashboard.json" "$here/policyrec-dashboard.json"
{
  echo "# Generated from deploy/prometheus/alerts.yml: the same groups, as a prometheus-operator resource."
  echo "# Regenerate with: k8s/base/generate-prometheusrule.sh (DeploymentManifestsTest fails when they differ)."
  cat << 'HEAD'
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: policy-recommender
  labels:
    release: prometheus
spec:
HEAD
  grep -v '^#' "$here/../../deploy/prometheus/alerts.yml" | sed 's/^\(.\)/  \1/'
} > "$here/prometheusrule.yaml"
