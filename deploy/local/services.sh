#!/usr/bin/env bash
# Start, stop and inspect the Portico services as local processes (logs and pids in .local/run).
# Usage: services.sh start|stop|status
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SERVICES=("${SERVICE_NAMES[@]}")
RUN_DIR="$PORTICO_ROOT/.local/run"
mkdir -p "$RUN_DIR"

running() { local pid_file="$RUN_DIR/$1.pid"; [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

start_one() {
  local svc=$1
  if running "$svc"; then log "$svc already running (pid $(cat "$RUN_DIR/$svc.pid"))"; return; fi
  (cd "$PORTICO_ROOT" && node "services/$svc/dist/src/migrate.js") || die "$svc: migrations failed"
  # Each service presents its own token when it calls another (AUTH_SERVICE_TOKENS lists them all).
  local token_var="INTERNAL_SERVICE_TOKEN_${svc^^}"
  token_var="${token_var//-/_}"
  # A smaller young generation keeps each idle service well under 150 MB RSS (measured in issue 3).
  # Two malloc arenas stop glibc keeping freed image buffers per libvips thread (id-vault's sharp:
  # ~100 MB less after a burst of uploads, tools/bench/vault.bench.ts). id-vault's signed audit
  # heads go outside its database (production: a WORM / object-storage mount).
  mkdir -p "$PORTICO_ROOT/.local/audit"
  local extra=()
  case "$svc" in
    # notification asks id-vault for residents' one-time links at send time, and may deliver
    # property systems' webhooks to receivers on this machine (the demo's simulated property system);
    # production keeps https and public addresses only.
    notification)
      extra=(VAULT_INTERNAL_URL="http://127.0.0.1:${SERVICE_PORTS[id-vault]}"
        VAULT_SERVICE_TOKEN="${INTERNAL_SERVICE_TOKEN_NOTIFICATION:-}"
        WEBHOOK_ALLOW_HTTP=true WEBHOOK_ALLOWED_PRIVATE_NETWORKS=127.0.0.1/32) ;;
  esac
  env "${extra[@]}" AUDIT_EXPORT_DIR="$PORTICO_ROOT/.local/audit" MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" \
  INTERNAL_SERVICE_TOKEN="${!token_var:-}" NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=8}" \
    HTTP_PORT="${SERVICE_PORTS[$svc]}" nohup node "$PORTICO_ROOT/services/$svc/dist/src/main.js" >>"$RUN_DIR/$svc.log" 2>&1 &
  echo $! >"$RUN_DIR/$svc.pid"
}

wait_ready() {
  local svc=$1 url="http://127.0.0.1:${SERVICE_PORTS[$1]}/health/ready" deadline=$((SECONDS + 90))
  until curl -fsS -o /dev/null "$url"; do
    if ! running "$svc"; then tail -n 40 "$RUN_DIR/$svc.log" >&2; die "$svc exited during start (log above)"; fi
    [ $SECONDS -lt $deadline ] || { tail -n 40 "$RUN_DIR/$svc.log" >&2; die "$svc not ready after 90 s"; }
    sleep 0.5
  done
  log "$svc ready on http://127.0.0.1:${SERVICE_PORTS[$svc]}"
}

stop_one() {
  local svc=$1 pid_file="$RUN_DIR/$1.pid"
  running "$svc" || { rm -f "$pid_file"; return; }
  local pid; pid=$(cat "$pid_file")
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && { log "$svc did not stop in 15 s, killing"; kill -KILL "$pid"; }
  rm -f "$pid_file"
  log "$svc stopped"
}

case "${1:-}" in
  start)
    ensure_local_secrets
    started=$SECONDS
    for svc in "${SERVICES[@]}"; do start_one "$svc"; done
    for svc in "${SERVICES[@]}"; do wait_ready "$svc"; done
    log "all services ready in $((SECONDS - started)) s"
    ;;
  stop) for svc in "${SERVICES[@]}"; do stop_one "$svc"; done ;;
  status)
    for svc in "${SERVICES[@]}"; do
      if running "$svc"; then echo "$svc: running (pid $(cat "$RUN_DIR/$svc.pid"), port ${SERVICE_PORTS[$svc]})"; else echo "$svc: stopped"; fi
    done
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
