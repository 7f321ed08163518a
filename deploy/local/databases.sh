#!/usr/bin/env bash
# Creates one PostgreSQL database per service, idempotently (existing databases are left as they are).
# Usage: deploy/local/databases.sh [database...]   (default: every service database)
# PG_ADMIN_URL: a role allowed to CREATE DATABASE (default postgres://postgres@127.0.0.1:5432/postgres).
# Uses psql when installed, otherwise deploy/local/databases.cjs with the project's `pg`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DEFAULT_DATABASES=(portico_carrier_ingestion portico_clearance portico_id_vault portico_notification portico_claims portico_console)
if [ $# -gt 0 ]; then DATABASES=("$@"); else DATABASES=("${DEFAULT_DATABASES[@]}"); fi

for db in "${DATABASES[@]}"; do
  # Names go into SQL as identifiers; keep them to what Postgres accepts unquoted.
  [[ "$db" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "invalid database name '$db' (lower case letters, digits, _)"
done

# The URL may carry a password: never print it.
redacted() { sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$1"; }
TARGET=$(redacted "$PG_ADMIN_URL")
HINT="is PostgreSQL running? (Debian: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start)"

create_with_psql() {
  local out
  out=$(psql "$PG_ADMIN_URL" -XtAq -v ON_ERROR_STOP=1 -c 'SELECT 1' 2>&1) ||
    die "cannot reach PostgreSQL at $TARGET: $out; $HINT"
  local db exists
  for db in "${DATABASES[@]}"; do
    exists=$(psql "$PG_ADMIN_URL" -XtAq -v ON_ERROR_STOP=1 -c "SELECT 1 FROM pg_database WHERE datname = '$db'")
    if [ "$exists" = "1" ]; then
      log "database $db exists"
      continue
    fi
    # A concurrent run may create it between the check and here: re-check before failing.
    if out=$(psql "$PG_ADMIN_URL" -XtAq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db\"" 2>&1); then
      log "database $db created"
    elif [ "$(psql "$PG_ADMIN_URL" -XtAq -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" = "1" ]; then
      log "database $db exists (created concurrently)"
    else
      die "could not create database $db on $TARGET: $out"
    fi
  done
}

create_with_node() {
  local node="$PORTICO_ROOT/node_modules/.bin/node"
  [ -x "$node" ] || node=$(command -v node || true)
  [ -n "$node" ] && [ -d "$PORTICO_ROOT/node_modules/pg" ] ||
    die "neither psql nor node_modules/pg is available: install the PostgreSQL client or run npm ci"
  PG_ADMIN_URL="$PG_ADMIN_URL" "$node" "$PORTICO_ROOT/deploy/local/databases.cjs" "${DATABASES[@]}" ||
    die "creating databases on $TARGET failed (above); $HINT"
}

if command -v psql >/dev/null; then create_with_psql; else create_with_node; fi
log "databases ready on $TARGET: ${DATABASES[*]}"
