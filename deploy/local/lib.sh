# Functions of the local stack (sourced by up, down, status and the load-test scripts).
# Everything runs on loopback; PIDs and logs go under $STACK (default deploy/local/run).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
STACK="${STACK:-$here/run}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
REDIS_PORT="${REDIS_PORT:-6379}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9090}"
mkdir -p "$STACK"

log() { echo "[local] $*" >&2; }

listening() { (echo > "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

wait_port() {
  local port="$1" what="$2" pidfile="$3"
  for _ in $(seq 1 120); do
    listening "$port" && return 0
    if [ -n "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2> /dev/null; then
      log "$what exited; see $STACK/$what.log"; return 1
    fi
    sleep 0.5
  done
  log "$what did not listen on $port"; return 1
}

# Starts a process in the background with its PID in $STACK/<name>.pid and output in $STACK/<name>.log.
spawn() {
  local name="$1"; shift
  if [ -f "$STACK/$name.pid" ] && kill -0 "$(cat "$STACK/$name.pid")" 2> /dev/null; then
    log "$name is already running (pid $(cat "$STACK/$name.pid"))"; return 0
  fi
  nohup "$@" > "$STACK/$name.log" 2>&1 &
  echo $! > "$STACK/$name.pid"
}

stop() {
  local name="$1" pidfile="$STACK/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  if kill -0 "$pid" 2> /dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2> /dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2> /dev/null && kill -9 "$pid"
    log "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

deps_classpath() {
  if [ ! -s "$STACK/deps.classpath" ]; then
    log "resolving the Kafka broker jars from Maven Central"
    (cd "$root" && ./mvnw -q -B -f deploy/local/deps-pom.xml dependency:build-classpath \
      -Dmdep.outputFile="$STACK/deps.classpath") >&2
  fi
  cat "$STACK/deps.classpath"
}

start_kafka() {
  local cp; cp=$(deps_classpath)
  local dir="$STACK/kafka"
  if [ ! -f "$dir/server.properties" ]; then
    mkdir -p "$dir/logs"
    cat > "$dir/server.properties" << PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
    java -cp "$cp" kafka.tools.StorageTool format -t "$(java -cp "$cp" kafka.tools.StorageTool random-uuid)" \
      -c "$dir/server.properties" > "$STACK/kafka-format.log" 2>&1
  fi
  spawn kafka java -Xms256m -Xmx1g -cp "$cp" kafka.Kafka "$dir/server.properties"
  wait_port "$KAFKA_PORT" kafka "$STACK/kafka.pid"
  log "kafka on 127.0.0.1:$KAFKA_PORT"
}

redis_binary() {
  if command -v redis-server > /dev/null; then command -v redis-server; return; fi
  local bin="$STACK/redis-server"
  if [ ! -x "$bin" ]; then
    local jar; jar=$(deps_classpath | tr ':' '\n' | grep embedded-redis)
    (cd "$STACK" && jar xf "$jar" redis-server-6.2.6-v5-linux-amd64 && mv redis-server-6.2.6-v5-linux-amd64 "$bin")
    chmod +x "$bin"
  fi
  echo "$bin"
}

start_redis() {
  mkdir -p "$STACK/redis"
  spawn redis "$(redis_binary)" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$STACK/redis"
  wait_port "$REDIS_PORT" redis "$STACK/redis.pid"
  log "redis on 127.0.0.1:$REDIS_PORT"
}

start_prometheus() {
  if ! command -v prometheus > /dev/null; then
    log "installing prometheus (Debian package)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus) \
      > "$STACK/apt.log" 2>&1 || { log "prometheus is not available; skipping it"; return 0; }
  fi
  local targets=""
  for port in "$@"; do targets="$targets\"127.0.0.1:$port\","; done
  cat > "$STACK/prometheus.yml" << YAML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - $root/deploy/prometheus/alerts.yml
scrape_configs:
  - job_name: policyrec
    metrics_path: /q/metrics
    static_configs:
      - targets: [${targets%,}]
YAML
  spawn prometheus prometheus --config.file="$STACK/prometheus.yml" --storage.tsdb.path="$STACK/prometheus-data" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
  wait_port "$PROMETHEUS_PORT" prometheus "$STACK/prometheus.pid"
  log "prometheus on 127.0.0.1:$PROMETHEUS_PORT"
}

package_service() {
  if [ ! -f "$root/target/quarkus-app/quarkus-run.jar" ]; then
    log "packaging the service"
    (cd "$root" && ./mvnw -q -B package -DskipTests) >&2
  fi
}

# start_service <name> <port> [-Dproperty=value ...]
start_service() {
  local name="$1" port="$2"; shift 2
  package_service
  spawn "$name" env OMP_NUM_THREADS=1 java -Dquarkus.http.port="$port" -Dpolicyrec.instance-id="$name" \
    -Dpolicyrec.snapshot.dir="$STACK/$name-snapshots" "$@" -jar "$root/target/quarkus-app/quarkus-run.jar"
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/q/health/ready" > /dev/null && { log "$name on 127.0.0.1:$port"; return 0; }
    kill -0 "$(cat "$STACK/$name.pid")" 2> /dev/null || { log "$name exited; see $STACK/$name.log"; return 1; }
    sleep 0.5
  done
  log "$name did not become ready"; return 1
}
