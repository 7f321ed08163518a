#!/usr/bin/env bash
# The whole test suite (README command 2): installs what is missing (npm packages; Debian's Chromium, a
# CJK font, poppler, promtool and a compose client), makes sure the real Kafka broker and Postgres are there,
# then runs unit, integration and cross-service tests.
set -euo pipefail
source "$(dirname "$0")/../deploy/local/lib.sh"

ensure_dependencies
ensure_test_packages
ensure_kafka
ensure_databases
build_all

cd "$PORTICO_ROOT"
log "unit tests"
nx run-many -t test --outputStyle=static
log "integration tests (real Kafka and Postgres)"
# One project at a time: they share one broker and one Postgres on a small machine.
nx run-many -t int-test --parallel=1 --outputStyle=static
log "cross-service tests (all six services as processes)"
nx run e2e:e2e --outputStyle=static
log "all tests passed"
