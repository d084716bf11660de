#!/usr/bin/env bash
# Regenerates loadtest/RESULTS.md: learning (the paper's experiment, in process and against the
# service), serving (/recommend against the baseline endpoint), feedback through Kafka, decision
# logging and metrics overheads, engine benchmarks with the numpy baseline, memory, the chaos soak.
# About 2 h 10 min on 2 cores (the run of 2026-12-02). Needs python3 with numpy (baseline), and the
# Fashion-MNIST Debian package (installed here with apt-get if missing). Kafka runs from
# Maven-resolved jars (deploy/local).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="$here/target/results-run"
# RESUME=1 keeps the outputs of a stopped run and skips the stages that already finished
# (delete a stage's output file to run it again).
# SEED=1 starts from the inputs of the last RESULTS.md (loadtest/results/run, which every run writes:
# commit it with RESULTS.md) and runs again only the stages whose outputs RERUN names, e.g.
#   SEED=1 RERUN="spotify-tracks/summary.md vw-tracks/summary.md engine.md" loadtest/generate-results.sh
# so a change is measured without the other two hours; machine.txt then says what was rerun, when,
# at which revision, and RESULTS.md shows it in its header.
if [ "${SEED:-0}" = 1 ]; then
  [ -d "$here/results/run" ] || { echo "no $here/results/run to seed from: run once without SEED" >&2; exit 2; }
  rm -rf "$out"; mkdir -p "$out"
  cp -r "$here/results/run/." "$out/"
  # Only a stage's own output reruns it (the one its done_already names): any other name would be
  # deleted and never written again.
  stages=$(grep -o 'done_already [a-z][^ |;)]*' "$0" | awk '{print $2}' | sort -u)
  set -f
  for f in ${RERUN:-}; do
    grep -qxF -- "$f" <<< "$stages" || { echo "RERUN: $f is not a stage's output; one of:" $stages >&2; exit 2; }
    rm -rf "${out:?}/$f"
  done
  set +f
  RESUME=1
fi
if [ "${RESUME:-0}" != 1 ]; then rm -rf "$out"; fi
mkdir -p "$out"
done_already() { [ "${RESUME:-0}" = 1 ] && [ -s "$out/$1" ]; }
export OMP_NUM_THREADS=1
log() { echo "[results $(date -u +%H:%M:%S)] $*" >&2; }

if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  log "installing dataset-fashion-mnist"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist) > "$out/apt.log" 2>&1
fi
log "building"
"$here/build.sh" >&2
jar="$here/target/loadtest.jar"
service_jar="$root/target/quarkus-app/quarkus-run.jar"

revision=$(git -C "$root" describe --always --dirty 2> /dev/null || echo unknown)
if [ "${SEED:-0}" = 1 ]; then
  echo "rerun on $(date -u +%FT%TZ) at $revision: ${RERUN:-nothing}; the rest as above" >> "$out/machine.txt"
elif [ "${RESUME:-0}" = 1 ] && [ -s "$out/machine.txt" ]; then
  echo "resumed on $(date -u +%FT%TZ) at $revision" >> "$out/machine.txt"
else
{
  echo "date: $(date -u +%FT%TZ)"
  echo "revision: $revision"
  echo "cores: $(env -u OMP_NUM_THREADS nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "jvm: $(java -version 2>&1 | head -1)"
  echo "numpy: $(python3 -c 'import numpy; print(numpy.__version__)' 2>/dev/null || echo absent)"
} > "$out/machine.txt"
fi

log "engine benchmarks (JMH and the numpy baseline)"
done_already engine.md || "$here/bench-engine.sh" "$out/engine.md" > "$out/engine.log" 2>&1

log "experiments in process"
done_already paper/spotify/summary.md || java -jar "$jar" experiment --data fashion-mnist,spotify --seeds 5 --parallel 2 --out "$out/paper" \
  --agents-extra "entropy:0.1:target=1.0,default,entropy:0.1:ratio=0.4:step=0.005" 2> "$out/paper.log"
done_already drift/spotify/summary.md || java -jar "$jar" experiment --data fashion-mnist,spotify --seeds 5 --parallel 2 --out "$out/drift" \
  --updates 2000 --eval-every 25 --drift-at 100000 --agents none,default,entropy:0.1:ratio=0.4:step=0.005 2> "$out/drift.log"
done_already named/spotify/summary.md || java -jar "$jar" experiment --data fashion-mnist,spotify --seeds 5 --parallel 2 --out "$out/named" \
  --baseline mean --agents default,default:features=16,default:features=18 2> "$out/named.log"
done_already spotify-tracks/summary.md || java -jar "$jar" experiment --data spotify-tracks --seeds 5 --parallel 2 --out "$out" \
  --updates 1200 --swap-at 1000 --eval-every 20 2> "$out/tracks.log"
# Vowpal Wabbit side by side, when a binary built from source is given (VW_BIN; see the guide's VW.md).
if [ -n "${VW_BIN:-}" ]; then
  done_already vw-tracks/summary.md || { mkdir -p "$out/vw-tracks" \
    && "$VW_BIN" --version | head -1 | cut -d' ' -f1 > "$out/vw-tracks/version.txt" \
    && java -jar "$jar" vw --vw "$VW_BIN" --out "$out/vw-tracks" > /dev/null 2> "$out/vw-tracks.log"; }
fi
done_already size.txt || java -Xmx8g -jar "$jar" size --bits 16,18,20 > "$out/size.txt" 2> "$out/size.log"
done_already previous/spotify/summary.md || java -jar "$jar" experiment --data fashion-mnist,spotify --seeds 3 --parallel 2 --out "$out/previous" \
  --agents none,js:0.5:previous,hellinger:0.35:previous,tv:0.9:previous,mmd:2.0:previous 2> "$out/previous.log"
done_already long/fashion-mnist/summary.md || java -jar "$jar" experiment --data fashion-mnist --seeds 3 --parallel 2 --updates 20000 --batch 64 --eval-every 1000 \
  --out "$out/long" --agents none,entropy:0.1,js:0.5,hellinger:0.5,tv:0.5,mmd:1.0 2> "$out/long.log"

# Every service here learns from every decision it serves: at the default 256 MB the pending budget
# holds a 30 s window of 784-float decisions up to about 2,550/s and of Rank's (50 actions) up to
# about 1,650/s; beyond, the oldest are evicted before their windows close, so at higher rates
# nothing is learned and the learner's CPU leaves the measurement (a Rank search at 2,000-4,000/s
# evicted 70% of its decisions). The load tool prints evictions per step.
serving_budget=-Dpolicyrec.pending.max-bytes=2147483648
bench_up() { # port, extra -D...
  local port="$1"; shift
  # A service left on the port (a run stopped midway) would answer in the new one's place.
  if curl -sf "localhost:$port/q/health/live" > /dev/null; then log "port $port is in use"; return 1; fi
  local dir; dir=$(mktemp -d)
  # THP as the Dockerfile runs the service: the learner's rows are random reads over tens of MB
  # (at 3,000 named-features decisions/s, its CPU per decision fell from 49-54 us to 44 us).
  java -Xmx3g -XX:+UseTransparentHugePages -Dquarkus.http.port="$port" -Dpolicyrec.snapshot.dir="$dir" "$serving_budget" "$@" -jar "$service_jar" \
    > "$dir/service.log" 2>&1 &
  echo $! > "$out/service.pid"
  for _ in $(seq 1 90); do curl -sf "localhost:$port/q/health/ready" > /dev/null && return 0; sleep 1; done
  log "service did not start"; return 1
}
bench_down() { kill "$(cat "$out/service.pid")" 2> /dev/null || true; wait "$(cat "$out/service.pid")" 2> /dev/null || true; }

if ! (done_already remote-http/fashion-mnist/summary.md && done_already remote-drift/spotify/summary.md); then
  log "experiment against the running service, feedback over HTTP"
  bench_up 18090 -Dpolicyrec.learner.max-batch-delay=PT0S
  java -jar "$jar" experiment --service http://localhost:18090 --data fashion-mnist --seeds 1 --updates 500 \
    --eval-every 250 --agents none,entropy:0.25 --out "$out/remote-http" 2> "$out/remote-http.log"
  log "preference drift against the running service"
  java -jar "$jar" experiment --service http://localhost:18090 --data spotify --seeds 1 --updates 2000 \
    --eval-every 50 --drift-at 100000 --agents none,default --out "$out/remote-drift" 2> "$out/remote-drift.log"
  bench_down
fi

if ! done_already http.txt; then
  log "serving: /recommend against the baseline endpoint"
  bench_up 18091 -Dpolicyrec.http.baseline-endpoint=true
  java -jar "$jar" http --url http://localhost:18091 > "$out/http.tmp" 2>&1
  bench_down
  mv "$out/http.tmp" "$out/http.txt"
fi
if ! done_already http-named.txt; then
  log "serving: /recommend with named features against the baseline endpoint parsing the same body"
  bench_up 18096 -Dpolicyrec.http.baseline-endpoint=true
  java -jar "$jar" http --url http://localhost:18096 --policy named --features > "$out/http-named.tmp" 2>&1
  bench_down
  mv "$out/http-named.tmp" "$out/http-named.txt"
fi
if ! done_already http-candidates.txt; then
  log "serving: /recommend with 50 candidates in the body against the baseline endpoint parsing the same body"
  bench_up 18097 -Dpolicyrec.http.baseline-endpoint=true
  java -jar "$jar" http --url http://localhost:18097 --policy candidates --candidates 50 > "$out/http-candidates.tmp" 2>&1
  bench_down
  mv "$out/http-candidates.tmp" "$out/http-candidates.txt"
fi
if ! done_already http-rank.txt; then
  log "serving: Personalizer's Rank with 50 actions against the baseline endpoint parsing the same body"
  bench_up 18098 -Dpolicyrec.http.baseline-endpoint=true
  java -jar "$jar" http --url http://localhost:18098 --policy rank --personalizer 50 > "$out/http-rank.tmp" 2>&1
  bench_down
  mv "$out/http-rank.tmp" "$out/http-rank.txt"
fi
# AB_BASE=<revision>: the same named-features search against the service built at that revision,
# then at this checkout (bench-ab.sh): the before and after of a serving change.
if [ -n "${AB_BASE:-}" ] && ! done_already ab-named.txt; then
  log "serving: before ($AB_BASE) and after, named-features bodies"
  "$here/bench-ab.sh" "$AB_BASE" "$out/ab-named.txt" --policy named --features > "$out/ab.log" 2>&1
fi
if ! done_already metrics-onoff.txt; then
  log "serving: policy metrics on and off"
  rm -f "$out/metrics-onoff.tmp"
  for m in true false; do
    bench_up 18092 -Dpolicyrec.metrics.enabled=$m
    java -jar "$jar" http --url http://localhost:18092 --endpoints recommend | grep "holds" | sed "s/^/metrics $m: /" >> "$out/metrics-onoff.tmp"
    bench_down
  done
  mv "$out/metrics-onoff.tmp" "$out/metrics-onoff.txt"
fi
if ! done_already profile.txt; then
  log "serving: where the CPU goes (JFR)"
  # Recorded from the start and the measured part dumped: JFR.start on a running service set off a
  # recompilation storm (C2 at 570 us of CPU per request in the window), which the profile counted.
  # At half the baseline's maximum (the p99 goal's rate; 3,000/s without the search's figure), with
  # the allocations outside TLABs recorded: they name the humongous ones and who made them.
  rate=$({ sed -n "s/^at half the baseline's maximum (\([0-9,]*\)\/s).*/\1/p" "$out/http.txt" 2> /dev/null || true; } \
    | tr -d , | head -1)
  rate=${rate:-3000}
  bench_up 18095 -XX:StartFlightRecording=name=serving,settings=profile,+jdk.ObjectAllocationOutsideTLAB#enabled=true
  pid=$(cat "$out/service.pid")
  java -jar "$jar" http --url http://localhost:18095 --endpoints recommend --rate "$rate" > /dev/null 2>&1  # JIT warm-up
  java -jar "$jar" http --url http://localhost:18095 --endpoints recommend --rate "$rate" --duration 20 2>&1 \
    | grep '^recommend' | sed 's/^/load while recording: /' > "$out/profile-load.txt"
  jcmd "$pid" JFR.dump name=serving begin=-20s filename="$out/serving.jfr" > /dev/null
  bench_down
  java -jar "$jar" profile --jfr "$out/serving.jfr" --last 20 > "$out/profile.txt"
fi

if done_already remote-kafka/spotify/summary.md && done_already feedback-rate.txt && done_already logging.txt; then
  log "Kafka stages done already"
else
log "Kafka"
export STACK="$out/stack" KAFKA_PORT=19192 KAFKA_CONTROLLER_PORT=19193
loadtest="$here"
source "$root/deploy/local/lib.sh"
here="$loadtest"  # lib.sh sets its own
start_kafka
trap 'stop kafka' EXIT
if ! done_already remote-kafka/spotify/summary.md; then
  log "experiment against the running service, feedback over Kafka"
  bench_up 18093 -Dkafka.bootstrap.servers=127.0.0.1:19192 -Dpolicyrec.learner.max-batch-delay=PT0S
  java -jar "$jar" experiment --service http://localhost:18093 --feedback kafka --bootstrap 127.0.0.1:19192 \
    --data spotify --seeds 1 --updates 500 --eval-every 250 --agents none,entropy:0.05 --out "$out/remote-kafka" \
    2> "$out/remote-kafka.log"
  bench_down
fi
if ! done_already feedback-rate.txt; then
log "feedback throughput and freshness"
bench_up 18094 -Dkafka.bootstrap.servers=127.0.0.1:19192 -Dpolicyrec.instance-id=feedback-bench
java -jar "$jar" feedback --url http://localhost:18094 --bootstrap 127.0.0.1:19192 --events 50000 --rounds 4 \
  > "$out/feedback.txt" 2>&1
java -jar "$jar" feedback --url http://localhost:18094 --bootstrap 127.0.0.1:19192 --events 50000 --rounds 2 \
  --rate 20000 --policy feedback-steady > "$out/feedback-rate.tmp" 2>&1
bench_down
mv "$out/feedback-rate.tmp" "$out/feedback-rate.txt"
fi
if ! done_already logging.txt; then
  log "decision logging on and off"
  KAFKA=127.0.0.1:19192 "$here/bench-logging.sh" "$out/logging.txt" > "$out/logging.log" 2>&1
fi
stop kafka
trap - EXIT
fi

if ! done_already memory.txt; then
  log "memory"
  java -Xmx2g -jar "$jar" memory > "$out/memory.tmp" 2>&1
  mv "$out/memory.tmp" "$out/memory.txt"
fi

# The chaos soak (CHAOS_MINUTES, 20): faults on a schedule under load, on its own ports.
if ! done_already chaos.md; then
  log "chaos soak, ${CHAOS_MINUTES:-20} minutes"
  "$here/chaos.sh" --minutes "${CHAOS_MINUTES:-20}" --out "$out/chaos.tmp" > "$out/chaos.log" 2>&1 \
    || log "the chaos soak FAILED (see $out/chaos.log); its summary says what was lost"
  if [ -s "$out/chaos.tmp" ]; then mv "$out/chaos.tmp" "$out/chaos.md"; fi
fi

log "writing RESULTS.md"
rm -rf "$here/results"; mkdir -p "$here/results"
for d in paper drift previous long remote-http remote-drift remote-kafka; do
  for ds in "$out/$d"/*/; do
    name=$(basename "$ds")
    mkdir -p "$here/results/$d/$name"
    cp "$ds/plots.html" "$ds/summary.md" "$ds/summary.csv" "$here/results/$d/$name/"
  done
done
# What RESULTS.md is made of (not the per-seed runs or the logs), for SEED=1 later.
(cd "$out" && find . -mindepth 2 -path '*/runs' -prune -o -type f \( -name summary.md -o -name summary.csv \
    -o -name drift.csv -o -name version.txt -o -name plots.html \) -print && find . -maxdepth 1 -type f \( -name '*.txt' -o -name '*.md' \)) \
  | while read -r f; do mkdir -p "$here/results/run/$(dirname "$f")"; cp "$out/$f" "$here/results/run/$f"; done
java -jar "$jar" results --run "$out" --results "$here/results" --out "$here/RESULTS.md"
log "done: $here/RESULTS.md"
