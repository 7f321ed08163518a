#!/usr/bin/env bash
# README command 1: everything from a clean clone to a running platform with demo data.
# Installs dependencies, fetches and starts a real Kafka broker, creates the databases, builds,
# migrates, starts Prometheus and a trace backend, all services (the console too), walks a demo parcel through a customs hold, prints the URLs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

started=$SECONDS
ensure_dependencies
ensure_kafka
ensure_databases
build_all
# Metrics and traces without Docker: Prometheus (Debian's package) scraping every service, Zipkin
# with an OTLP bridge; the services export their spans there. The platform runs without them if
# they cannot start (the reason is printed).
if bash "$PORTICO_ROOT/deploy/local/observability.sh" start; then
  eval "$(bash "$PORTICO_ROOT/deploy/local/observability.sh" env)"
else
  log "observability did not start (see above): the platform runs without metrics and traces"
fi
bash "$PORTICO_ROOT/deploy/local/services.sh" start
ensure_local_secrets
node "$PORTICO_ROOT/tools/demo/dist/customs-hold-demo.js"
seed_console_account


cat <<MSG

Portico is up ($((SECONDS - started)) s).
  carrier-ingestion  http://127.0.0.1:3001   POST /webhooks/:carrierAccount
  clearance          http://127.0.0.1:3002
  id-vault           http://127.0.0.1:3003
  notification       http://127.0.0.1:3004
  claims             http://127.0.0.1:3005
  console            http://127.0.0.1:3006   sign in as steward.demo (password: CONSOLE_DEMO_PASSWORD in .local/secrets.env)
  every service:     /health/live  /health/ready  /metrics
  Kafka              127.0.0.1:9092        logs: .local/kafka/logs, .local/run/*.log
  Prometheus         http://127.0.0.1:9090  (alert rules loaded)   traces: http://127.0.0.1:9411/zipkin/
  a parcel's trace:  bash deploy/local/observability.sh trace <parcel id>
Stop with: npm run down
MSG
