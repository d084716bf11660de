#!/usr/bin/env bash
# The watch on entropy collapse, end to end, with real servers on loopback:
#   1. promtool checks and unit-tests the alert rules;
#   2. the packaged service and a Prometheus scraping it every second are started;
#   3. traffic makes one policy collapse (no regularizer) and keeps another diverse (entropy);
#   4. Prometheus's HTTP API must show the first below the collapse threshold, the second above;
#   5. every PromQL expression of the dashboard and the alert rules must evaluate without error.
# Needs the packaged service (./mvnw package) and installs prometheus (Debian) if it is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
threshold=0.2
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

if ! command -v promtool > /dev/null || ! command -v prometheus > /dev/null; then
  echo "installing prometheus (Debian package)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus) > "$work/apt.log" 2>&1
fi
promtool check rules "$here/alerts.yml"
promtool test rules "$here/alerts-test.yml"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }
service_port=$(free_port)
prom_port=$(free_port)

OMP_NUM_THREADS=1 java -Dquarkus.http.port="$service_port" -Dpolicyrec.snapshot.dir="$work/snapshots" \
  -Dpolicyrec.metrics.window=1000 -Dpolicyrec.metrics.refresh=PT1S \
  -jar "$root/target/quarkus-app/quarkus-run.jar" > "$work/service.log" 2>&1 &
pids+=($!)
cat > "$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $here/alerts.yml
scrape_configs:
  - job_name: policyrec
    metrics_path: /q/metrics
    static_configs:
      - targets: ["127.0.0.1:$service_port"]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" > "$work/prometheus.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 90); do curl -sf "http://127.0.0.1:$service_port/q/health/ready" > /dev/null && break; sleep 1; done
for _ in $(seq 1 30); do curl -sf "http://127.0.0.1:$prom_port/-/ready" > /dev/null && break; sleep 1; done

java "$here/E2eCheck.java" drive "http://127.0.0.1:$service_port"
sleep 5
java "$here/E2eCheck.java" check "http://127.0.0.1:$prom_port" "$threshold"
java "$here/E2eCheck.java" exprs "http://127.0.0.1:$prom_port" "$root/deploy/grafana/policyrec-dashboard.json" "$here/alerts.yml"
echo "e2e check passed"
