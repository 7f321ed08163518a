#!/usr/bin/env bash
# Stops the services and the local broker. Data stays in .local/ (delete it for a clean slate).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bash "$PORTICO_ROOT/deploy/local/services.sh" stop
bash "$PORTICO_ROOT/deploy/local/observability.sh" stop || true
[ -n "${KAFKA_BROKERS:-}" ] || bash "$PORTICO_ROOT/deploy/local/kafka.sh" stop
