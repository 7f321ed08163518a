#!/usr/bin/env bash
# `npm run bench:ingest`: makes sure the broker, Postgres and the service build are there, then runs
# tools/bench/ingest.bench.ts with any arguments given (--seconds, --connections, --baseline-seconds).
set -euo pipefail
source "$(dirname "$0")/../../deploy/local/lib.sh"

ensure_dependencies
ensure_kafka
ensure_databases
build_all
cd "$PORTICO_ROOT"
exec node tools/bench/ingest.bench.js "$@"
