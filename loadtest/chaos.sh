#!/usr/bin/env bash
# The chaos soak: the local stack (deploy/local: Kafka, Redis, two instances) on its own ports and
# folder, steady decisions and rewards from `loadtest chaos`, and faults injected on its schedule
# through this script (`chaos.sh fault <name>`), which owns the processes. Fails on any loss.
#   loadtest/chaos.sh [--minutes 20] [--rate 100] [--out file.md]   (needs loadtest/build.sh first)
set -euo pipefail
loadtest="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$loadtest")"
export STACK="${CHAOS_STACK:-$loadtest/target/chaos-stack}" KAFKA_PORT=19292 KAFKA_CONTROLLER_PORT=19293 REDIS_PORT=19379
A_PORT=18180
B_PORT=18181
source "$root/deploy/local/lib.sh"  # (sets its own $here)

# Fixed batch boundaries, so that learned updates are exactly decisions / batch.
service_props=(-Dkafka.bootstrap.servers="127.0.0.1:$KAFKA_PORT" -Dquarkus.redis.hosts="redis://127.0.0.1:$REDIS_PORT"
  -Dpolicyrec.learner.max-batch-delay=PT0S -Dpolicyrec.kafka.orphan-wait=PT60S -Xmx1g)

pid_of() { cat "$STACK/$1.pid"; }

fault() {
  log "fault: $1 at $(date -u +%T)"
  case "$1" in
    kill-a|kill-b)  # SIGKILL (no shutdown, no final snapshot), then restart
      local name="service-${1#kill-}" port; port=$([ "$1" = kill-a ] && echo $A_PORT || echo $B_PORT)
      kill -9 "$(pid_of "$name")"; rm -f "$STACK/$name.pid"
      start_service "$name" "$port" "${service_props[@]}" ;;
    pause-a|pause-b)  # a long stop-the-world pause: SIGSTOP for 8 s, then SIGCONT
      local name="service-${1#pause-}"
      kill -STOP "$(pid_of "$name")"; sleep 8; kill -CONT "$(pid_of "$name")" ;;
    broker)  # a broker restart (orderly)
      stop kafka; start_kafka ;;
    redis-restart)  # Redis restarted without persistence: every snapshot is gone
      stop redis; start_redis ;;
    redis-flush)
      exec 3<> "/dev/tcp/127.0.0.1/$REDIS_PORT"; printf 'FLUSHALL\r\n' >&3; read -r reply <&3; exec 3>&-
      log "FLUSHALL: $reply" ;;
    *) log "unknown fault $1"; return 2 ;;
  esac
}

if [ "${1:-}" = fault ]; then fault "$2"; exit; fi

for name in service-b service-a redis kafka; do stop "$name"; done
rm -rf "$STACK"; mkdir -p "$STACK"
trap 'for name in service-b service-a redis kafka; do stop "$name"; done' EXIT
start_kafka
start_redis
start_service service-a "$A_PORT" "${service_props[@]}"
start_service service-b "$B_PORT" "${service_props[@]}"
java -jar "$loadtest/target/loadtest.jar" chaos --a "http://127.0.0.1:$A_PORT" --b "http://127.0.0.1:$B_PORT" \
  --bootstrap "127.0.0.1:$KAFKA_PORT" --fault-command "$loadtest/chaos.sh fault" --fault-log "$STACK/faults.log" --orphan-wait PT60S "$@"
