#!/usr/bin/env bash
# Platform cold start and idle memory (issue 3's numbers), on an already-installed and built checkout:
# stops the services, starts them the way `npm run up` does (migrations included), and prints
# how long until every one answered /health/ready, then each one's resident memory after an idle
# period. Targets: all ready in < 60 s; idle RSS < 150 MB per service.
#
#   npm run bench:start [-- --idle-seconds 20]
set -euo pipefail
source "$(dirname "$0")/../../deploy/local/lib.sh"

IDLE_SECONDS=20
[ "${1:-}" = "--idle-seconds" ] && IDLE_SECONDS=${2:?}
TARGET_READY_S=60
TARGET_RSS_MB=150

ensure_dependencies
ensure_kafka
ensure_databases
[ -f "$PORTICO_ROOT/services/claims/dist/src/main.js" ] || build_all

bash "$PORTICO_ROOT/deploy/local/services.sh" stop >/dev/null 2>&1 || true
start_ns=$(date +%s%N)
bash "$PORTICO_ROOT/deploy/local/services.sh" start
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
sleep "$IDLE_SECONDS"

echo
echo "platform start benchmark — $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(node --version), $(date -u +%FT%TZ)"
printf '  all six services ready: %d ms (target < %d s) %s\n' "$ready_ms" "$TARGET_READY_S" \
  "$([ "$ready_ms" -lt $((TARGET_READY_S * 1000)) ] && echo OK || echo MISSED)"
failed=0
for svc in "${SERVICE_NAMES[@]}"; do
  pid=$(cat "$PORTICO_ROOT/.local/run/$svc.pid")
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  rss_mb=$((rss_kb / 1024))
  verdict=OK
  [ "$rss_mb" -lt "$TARGET_RSS_MB" ] || { verdict=MISSED; failed=1; }
  printf '  %-18s idle RSS after %ss: %4d MB (target < %d MB) %s\n' "$svc" "$IDLE_SECONDS" "$rss_mb" "$TARGET_RSS_MB" "$verdict"
done
[ "$ready_ms" -lt $((TARGET_READY_S * 1000)) ] || failed=1
exit "$failed"
