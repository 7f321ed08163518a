#!/usr/bin/env bash
# Metrics and traces for the native platform (no Docker):
#   Prometheus (Debian's package) on 127.0.0.1:9090, scraping every service on 127.0.0.1:3001-3006
#     with the alert rules of deploy/prometheus/rules; config and data in .local/prometheus.
#   Zipkin (server jar from Maven Central, deploy/local/tracing/pom.xml) on 127.0.0.1:9411, in-memory,
#     with its UI at http://127.0.0.1:9411/zipkin/; state in .local/zipkin.
#   An OTLP/HTTP JSON -> Zipkin bridge (deploy/local/tracing/otlp-zipkin-bridge.cjs) on 127.0.0.1:4318,
#     where the services send spans when OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318.
#
# Usage: deploy/local/observability.sh start|stop|status [prometheus|tracing]   (default: both)
#        deploy/local/observability.sh env                       # the variables the services need
#        deploy/local/observability.sh trace <parcel id>         # a parcel's traces in Zipkin
#        deploy/local/observability.sh trace --tracking <carrier code> <tracking number>
#
# Environment: PROMETHEUS_PORT (9090), ZIPKIN_PORT (9411), OTLP_BRIDGE_PORT (4318),
#   ZIPKIN_HEAP_OPTS (-Xms64m -Xmx384m), ZIPKIN_MAX_SPANS (100000), PROMETHEUS_RETENTION (3d),
#   OBSERVABILITY_WAIT_TIMEOUT (60).
# Prometheus is installed with apt-get when missing (root, or sudo without a password); on a machine
# without apt-get it is skipped with a message, and tracing still starts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOST=127.0.0.1
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9090}"
ZIPKIN_PORT="${ZIPKIN_PORT:-9411}"
OTLP_BRIDGE_PORT="${OTLP_BRIDGE_PORT:-4318}"
ZIPKIN_HEAP_OPTS="${ZIPKIN_HEAP_OPTS:--Xms64m -Xmx384m}"
ZIPKIN_MAX_SPANS="${ZIPKIN_MAX_SPANS:-100000}"
PROMETHEUS_RETENTION="${PROMETHEUS_RETENTION:-3d}"
WAIT_TIMEOUT="${OBSERVABILITY_WAIT_TIMEOUT:-60}"

PROM_DIR="$PORTICO_ROOT/.local/prometheus"
ZIPKIN_DIR="$PORTICO_ROOT/.local/zipkin"
BRIDGE_DIR="$PORTICO_ROOT/.local/otlp-bridge"
ZIPKIN_POM="$PORTICO_ROOT/deploy/local/tracing/pom.xml"
BRIDGE_JS="$PORTICO_ROOT/deploy/local/tracing/otlp-zipkin-bridge.cjs"
RULES_DIR="$PORTICO_ROOT/deploy/prometheus/rules"

mkdir -p "$PORTICO_ROOT/.local"
exec 9>"$PORTICO_ROOT/.local/.observability.lock"

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
lock() { flock -w 120 9 || die "another observability.sh holds .local/.observability.lock"; }

# pid from a pid file, only while that process still runs the expected command.
running_pid() {
  local file=$1 pattern=$2 pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern" || return 1
  echo "$pid"
}

wait_http() {
  local name=$1 url=$2 pid_file=$3 log_file=$4 deadline=$((SECONDS + WAIT_TIMEOUT))
  until curl -fs -o /dev/null "$url" 2>/dev/null; do
    if ! kill -0 "$(cat "$pid_file" 2>/dev/null || echo 0)" 2>/dev/null; then
      tail -n 30 "$log_file" >&2 || true
      die "$name exited during start (log above: ${log_file#"$PORTICO_ROOT"/})"
    fi
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$log_file" >&2; die "$name did not answer $url within $WAIT_TIMEOUT s"; }
    sleep 0.5
  done
}

stop_pid() {
  local name=$1 pid=$2
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then log "$name did not stop in 15 s, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  log "$name stopped"
}

# ------------------------------------------------------------------------------------ Prometheus
PROM_PID="$PROM_DIR/prometheus.pid"
PROM_CONFIG="$PROM_DIR/prometheus.yml"

ensure_prometheus_installed() {
  command -v prometheus >/dev/null && return 0
  if ! command -v apt-get >/dev/null; then
    log "Prometheus is not installed and this machine has no apt-get: skipping metrics (install Prometheus 2.x and re-run)"
    return 1
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      log "Prometheus is not installed; run: sudo apt-get install -y --no-install-recommends prometheus   (skipping metrics)"
      return 1
    fi
  fi
  log "installing Debian's prometheus package (apt-get)"
  # --no-install-recommends: not the node exporter. policy-rc.d 101: no system service is started
  # by the package on machines with an init system (it would take port 9090 from us).
  local policy=/usr/sbin/policy-rc.d created_policy=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null && "${sudo[@]}" chmod +x "$policy" && created_policy=1; fi
  local ok=
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends prometheus >"$PROM_DIR/apt.log" 2>&1 && ok=1
  if [ -z "$ok" ]; then
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -q >>"$PROM_DIR/apt.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends prometheus >>"$PROM_DIR/apt.log" 2>&1 && ok=1
  fi
  [ -n "$created_policy" ] && "${sudo[@]}" rm -f "$policy"
  if [ -z "$ok" ]; then tail -n 20 "$PROM_DIR/apt.log" >&2; log "apt-get could not install prometheus (above): skipping metrics"; return 1; fi
  command -v prometheus >/dev/null
}

write_prometheus_config() {
  mkdir -p "$PROM_DIR/data"
  {
    echo "# Generated by deploy/local/observability.sh; edits are overwritten on the next start."
    echo "global:"
    echo "  scrape_interval: 15s"
    echo "  evaluation_interval: 15s"
    echo "rule_files:"
    echo "  - $RULES_DIR/*.yml"
    echo "scrape_configs:"
    echo "  - job_name: portico"
    echo "    honor_labels: true  # the services label their series service=<name> themselves"
    echo "    static_configs:"
    local svc
    for svc in "${SERVICE_NAMES[@]}"; do
      echo "      - targets: [\"$HOST:${SERVICE_PORTS[$svc]}\"]"
      echo "        labels: { service: $svc }"
    done
    echo "  - job_name: prometheus"
    echo "    static_configs:"
    echo "      - targets: [\"$HOST:$PROMETHEUS_PORT\"]"
  } >"$PROM_CONFIG"
  if command -v promtool >/dev/null; then
    promtool check config "$PROM_CONFIG" >"$PROM_DIR/check.log" 2>&1 || { cat "$PROM_DIR/check.log" >&2; die "generated Prometheus config is invalid"; }
  fi
}

start_prometheus() {
  mkdir -p "$PROM_DIR"
  local pid
  if pid=$(running_pid "$PROM_PID" "--config.file=$PROM_CONFIG"); then log "prometheus already running (pid $pid) on http://$HOST:$PROMETHEUS_PORT"; return; fi
  ensure_prometheus_installed || return 0
  port_open "$HOST" "$PROMETHEUS_PORT" &&
    die "port $PROMETHEUS_PORT is taken by a process this script did not start (a system prometheus service? 'systemctl disable --now prometheus', or PROMETHEUS_PORT=9091)"
  write_prometheus_config
  nohup setsid prometheus --config.file="$PROM_CONFIG" --storage.tsdb.path="$PROM_DIR/data" \
    --storage.tsdb.retention.time="$PROMETHEUS_RETENTION" --web.listen-address="$HOST:$PROMETHEUS_PORT" \
    --web.enable-lifecycle >>"$PROM_DIR/prometheus.log" 2>&1 </dev/null 9>&- &
  echo $! >"$PROM_PID"
  wait_http prometheus "http://$HOST:$PROMETHEUS_PORT/-/ready" "$PROM_PID" "$PROM_DIR/prometheus.log"
  log "prometheus ready on http://$HOST:$PROMETHEUS_PORT (targets 127.0.0.1:3001-3006, rules deploy/prometheus/rules)"
}

stop_prometheus() {
  local pid
  if pid=$(running_pid "$PROM_PID" "--config.file=$PROM_CONFIG"); then stop_pid prometheus "$pid"; else log "prometheus is not running"; fi
  rm -f "$PROM_PID"
}

# ------------------------------------------------------------------------------------ Zipkin + bridge
ZIPKIN_PID="$ZIPKIN_DIR/zipkin.pid"
ZIPKIN_LIBS="$ZIPKIN_DIR/libs"
BRIDGE_PID="$BRIDGE_DIR/bridge.pid"

node_bin() {
  local node="$PORTICO_ROOT/node_modules/.bin/node"
  [ -x "$node" ] || node=$(command -v node || true)
  [ -n "$node" ] || die "node not found: the OTLP bridge needs Node.js 18+"
  echo "$node"
}

java_bin() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME/bin/java"; return; fi
  command -v java >/dev/null || die "java not found: Zipkin needs a JRE 17+ (Debian: openjdk-17-jre-headless)"
  command -v java
}

fetch_zipkin() {
  local want; want=$(sha256sum "$ZIPKIN_POM" | cut -d' ' -f1)
  if [ -f "$ZIPKIN_LIBS/.fetched" ] && [ "$(cat "$ZIPKIN_LIBS/.fetched")" = "$want" ]; then return; fi
  command -v mvn >/dev/null || die "mvn not found: install Maven (Debian: maven); it fetches Zipkin's server jar from Maven Central"
  mkdir -p "$ZIPKIN_DIR"
  log "fetching Zipkin's server jar from Maven Central (deploy/local/tracing/pom.xml, ~130 MB once)"
  rm -rf "$ZIPKIN_LIBS.tmp"
  # excludeTransitive: the exec jar carries its dependencies inside.
  mvn -B -Dstyle.color=never -f "$ZIPKIN_POM" dependency:copy-dependencies -DexcludeTransitive=true \
    -DoutputDirectory="$ZIPKIN_LIBS.tmp" >"$ZIPKIN_DIR/fetch.log" 2>&1 ||
    { tail -n 30 "$ZIPKIN_DIR/fetch.log" >&2; die "Maven could not fetch zipkin-server (output above)"; }
  ls "$ZIPKIN_LIBS.tmp"/zipkin-server-*-exec.jar >/dev/null 2>&1 || die "zipkin-server exec jar missing after the fetch"
  rm -rf "$ZIPKIN_LIBS"; mv "$ZIPKIN_LIBS.tmp" "$ZIPKIN_LIBS"
  echo "$want" >"$ZIPKIN_LIBS/.fetched"
}

zipkin_jar() { ls "$ZIPKIN_LIBS"/zipkin-server-*-exec.jar | head -n 1; }

start_zipkin() {
  local pid
  if pid=$(running_pid "$ZIPKIN_PID" "zipkin-server-"); then log "zipkin already running (pid $pid) on http://$HOST:$ZIPKIN_PORT/zipkin/"; return; fi
  port_open "$HOST" "$ZIPKIN_PORT" && die "port $ZIPKIN_PORT is taken by a process this script did not start (ZIPKIN_PORT=... to use another)"
  fetch_zipkin
  local -a heap; read -r -a heap <<<"$ZIPKIN_HEAP_OPTS"
  # Bound to loopback only (Armeria port settings); in-memory storage: traces are gone on stop.
  STORAGE_TYPE=mem MEM_MAX_SPANS="$ZIPKIN_MAX_SPANS" QUERY_PORT="$ZIPKIN_PORT" \
    nohup setsid "$(java_bin)" "${heap[@]}" -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -jar "$(zipkin_jar)" \
    "--armeria.ports[0].port=$ZIPKIN_PORT" "--armeria.ports[0].ip=$HOST" "--armeria.ports[0].protocols[0]=http" \
    >>"$ZIPKIN_DIR/zipkin.log" 2>&1 </dev/null 9>&- &
  echo $! >"$ZIPKIN_PID"
  wait_http zipkin "http://$HOST:$ZIPKIN_PORT/health" "$ZIPKIN_PID" "$ZIPKIN_DIR/zipkin.log"
  log "zipkin ready on http://$HOST:$ZIPKIN_PORT/zipkin/"
}

start_bridge() {
  mkdir -p "$BRIDGE_DIR"
  local pid
  if pid=$(running_pid "$BRIDGE_PID" "otlp-zipkin-bridge.cjs"); then log "OTLP bridge already running (pid $pid) on http://$HOST:$OTLP_BRIDGE_PORT"; return; fi
  port_open "$HOST" "$OTLP_BRIDGE_PORT" &&
    die "port $OTLP_BRIDGE_PORT is taken by a process this script did not start (an OpenTelemetry Collector? then point it at Zipkin instead, or OTLP_BRIDGE_PORT=...)"
  OTLP_BRIDGE_HOST=$HOST OTLP_BRIDGE_PORT=$OTLP_BRIDGE_PORT ZIPKIN_URL="http://$HOST:$ZIPKIN_PORT" \
    nohup setsid "$(node_bin)" "$BRIDGE_JS" >>"$BRIDGE_DIR/bridge.log" 2>&1 </dev/null 9>&- &
  echo $! >"$BRIDGE_PID"
  wait_http "OTLP bridge" "http://$HOST:$OTLP_BRIDGE_PORT/health" "$BRIDGE_PID" "$BRIDGE_DIR/bridge.log"
  log "OTLP/HTTP bridge ready on http://$HOST:$OTLP_BRIDGE_PORT -> zipkin (services: OTEL_EXPORTER_OTLP_ENDPOINT=http://$HOST:$OTLP_BRIDGE_PORT)"
}

stop_tracing() {
  local pid
  if pid=$(running_pid "$BRIDGE_PID" "otlp-zipkin-bridge.cjs"); then stop_pid "OTLP bridge" "$pid"; else log "OTLP bridge is not running"; fi
  rm -f "$BRIDGE_PID"
  if pid=$(running_pid "$ZIPKIN_PID" "zipkin-server-"); then stop_pid zipkin "$pid"; else log "zipkin is not running"; fi
  rm -f "$ZIPKIN_PID"
}

# ------------------------------------------------------------------------------------ commands
status() {
  local rc=0 pid
  if pid=$(running_pid "$PROM_PID" "--config.file=$PROM_CONFIG"); then
    echo "prometheus: running (pid $pid) http://$HOST:$PROMETHEUS_PORT  services up: $(curl -fsG "http://$HOST:$PROMETHEUS_PORT/api/v1/query" --data-urlencode 'query=sum(up{job="portico"})' 2>/dev/null | grep -o '"value":\[[^]]*\]' | sed -E 's/.*,"([0-9]+)"\]/\1/' || echo '?')/5"
  else echo "prometheus: stopped"; rc=3; fi
  if pid=$(running_pid "$ZIPKIN_PID" "zipkin-server-"); then echo "zipkin: running (pid $pid) http://$HOST:$ZIPKIN_PORT/zipkin/"; else echo "zipkin: stopped"; rc=3; fi
  if pid=$(running_pid "$BRIDGE_PID" "otlp-zipkin-bridge.cjs"); then echo "otlp bridge: running (pid $pid) http://$HOST:$OTLP_BRIDGE_PORT/v1/traces"; else echo "otlp bridge: stopped"; rc=3; fi
  return $rc
}

what=${2:-all}
case "$what" in all|prometheus|tracing) ;; *) [ "${1:-}" = trace ] || { echo "usage: $0 start|stop|status [prometheus|tracing]" >&2; exit 2; } ;; esac

case "${1:-}" in
  start)
    lock
    if [ "$what" != tracing ]; then start_prometheus; fi
    if [ "$what" != prometheus ]; then start_zipkin; start_bridge; fi
    ;;
  stop)
    lock
    if [ "$what" != tracing ]; then stop_prometheus; fi
    if [ "$what" != prometheus ]; then stop_tracing; fi
    ;;
  status) status ;;
  env) echo "export OTEL_EXPORTER_OTLP_ENDPOINT=http://$HOST:$OTLP_BRIDGE_PORT" ;;
  trace)
    shift
    ZIPKIN_URL="http://$HOST:$ZIPKIN_PORT" "$(node_bin)" "$PORTICO_ROOT/deploy/local/tracing/find-parcel-trace.cjs" "$@"
    ;;
  *) echo "usage: $0 start|stop|status [prometheus|tracing] | env | trace <parcel id> | trace --tracking <carrier> <number>" >&2; exit 2 ;;
esac
