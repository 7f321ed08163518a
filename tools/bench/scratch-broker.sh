#!/usr/bin/env bash
# Runs a benchmark entry point (`tools/bench/<name>.bench.js`, arguments passed on) against a
# scratch Kafka broker of its own (ports 19092/19093, or BENCH_KAFKA_PORT/BENCH_KAFKA_CONTROLLER_PORT;
# state in .local/kafka-bench, removed afterwards). Benchmarks publish tens of thousands of records:
# on the development broker, `npm run up`'s services would have to work through all of them before
# the demo's parcel.
# Set KAFKA_BROKERS to use another cluster instead.
set -euo pipefail
source "$(dirname "$0")/../../deploy/local/lib.sh"

entry="${1:?usage: scratch-broker.sh tools/bench/<name>.bench.js [args...]}"
shift
ensure_dependencies
ensure_databases
build_all
cd "$PORTICO_ROOT"

if [ -z "${KAFKA_BROKERS:-}" ]; then
  # BENCH_KAFKA_PORT / BENCH_KAFKA_CONTROLLER_PORT: when another checkout's benchmark holds the defaults
  export KAFKA_LOCAL_DIR="$PORTICO_ROOT/.local/kafka-bench" KAFKA_PORT="${BENCH_KAFKA_PORT:-19092}" \
    KAFKA_CONTROLLER_PORT="${BENCH_KAFKA_CONTROLLER_PORT:-19093}"
  cleanup() {
    bash deploy/local/kafka.sh stop >/dev/null 2>&1 || true
    rm -rf "$KAFKA_LOCAL_DIR"
  }
  trap cleanup EXIT
  bash deploy/local/kafka.sh start
  export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
fi
node "$entry" "$@"
