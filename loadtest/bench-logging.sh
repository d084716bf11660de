#!/usr/bin/env bash
# What decision logging to Kafka costs /recommend: the highest rate held with p99 under the bound,
# with the decision log on and off, same machine, same script. Needs a Kafka broker
# (KAFKA=host:port, default 127.0.0.1:9092) and the packaged service (./mvnw package -DskipTests).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
kafka="${KAFKA:-127.0.0.1:9092}"
bound="${P99_BOUND_MS:-25}"
out="${1:-$here/target/bench-logging.txt}"
port=18080
run() {
  local label="$1"; shift
  local dir; dir=$(mktemp -d)
  OMP_NUM_THREADS=1 java -Xmx3g -XX:+UseTransparentHugePages -Dquarkus.http.port=$port -Dkafka.bootstrap.servers="$kafka" \
    -Dpolicyrec.snapshot.dir="$dir" -Dpolicyrec.instance-id="bench-$label" -Dpolicyrec.pending.max-bytes=2147483648 "$@" \
    -jar "$root/target/quarkus-app/quarkus-run.jar" > "$dir/service.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 60); do curl -sf "localhost:$port/q/health/ready" > /dev/null && break; sleep 1; done
  java -jar "$here/target/loadtest.jar" http --url "http://localhost:$port" --endpoints recommend \
    --p99-bound-ms "$bound" | tee "$dir/http.txt" | grep -E "holds|<-" >&2 || true
  grep "recommend holds" "$dir/http.txt" | sed "s/^/$label: /"
  kill $pid; wait $pid 2>/dev/null || true
}
{
  echo "decision log to Kafka on and off ($(date -u +%F), $(env -u OMP_NUM_THREADS nproc) cores, broker and load generator on the same machine)"
  # Logging alone: a serving-only instance (no learner, no router), decision log on and off.
  run log-on -Dpolicyrec.decision-log.enabled=true -Dpolicyrec.kafka.learner-enabled=false -Dpolicyrec.kafka.router-enabled=false
  run log-off -Dpolicyrec.decision-log.enabled=false -Dpolicyrec.kafka.learner-enabled=false -Dpolicyrec.kafka.router-enabled=false
  # The whole loop on one machine: logging, consuming, joining and learning every decision.
  run full-loop -Dpolicyrec.decision-log.enabled=true
} | tee "$out.tmp"
mv "$out.tmp" "$out"  # whole or not at all: generate-results.sh RESUME=1 skips a stage whose file exists
