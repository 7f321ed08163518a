#!/usr/bin/env bash
# CI check for the contracts: lint, generated code up to date, no breaking change.
#
#   1. buf lint (STANDARD).
#   2. Regenerate into a temporary directory and compare with the committed
#      libs/contracts/src/gen: fails when someone changed a .proto without regenerating, or
#      hand-edited generated code.
#   3. buf breaking (FILE) against the proto module committed on the base ref (default `main`,
#      then `origin/main`; override with PORTICO_PROTO_BASE=<git ref>); skipped with a message when the base has no
#      committed proto yet (first commit of the contracts) or there is no git repository.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:$PATH"

command -v buf >/dev/null || { echo "proto/check.sh: buf not found; run npm ci first" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail=0

echo "[contracts] buf lint"
buf lint proto

echo "[contracts] generated code up to date?"
buf generate proto --template proto/buf.gen.yaml -o "$TMP/gen"
GEN_DIR=libs/contracts/src/gen
if [ ! -d "$GEN_DIR" ]; then
  echo "[contracts] FAIL: $GEN_DIR is missing. Run: bash proto/generate.sh" >&2
  fail=1
elif ! diff -ru "$TMP/gen/$GEN_DIR" "$GEN_DIR" >"$TMP/gen.diff"; then
  echo "[contracts] FAIL: $GEN_DIR is stale or was edited by hand (it must equal a fresh generation)." >&2
  echo "[contracts]       Regenerate with: bash proto/generate.sh   (never edit generated files)" >&2
  head -n 80 "$TMP/gen.diff" >&2
  fail=1
else
  echo "[contracts] generated code matches the proto sources"
fi

echo "[contracts] breaking-change check (FILE)"
# Base: PORTICO_PROTO_BASE, else local `main`, else `origin/main` (CI clones on a detached head).
# On main itself this compares the working tree with the last commit, i.e. it catches a breaking
# edit before it is committed.
BASE="${PORTICO_PROTO_BASE:-}"
if [ -z "$BASE" ]; then
  BASE=main
  for candidate in main origin/main; do
    if git rev-parse --verify --quiet "$candidate^{commit}" >/dev/null 2>&1; then
      BASE="$candidate"
      break
    fi
  done
fi
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "[contracts] skip buf breaking: not a git checkout"
elif ! git rev-parse --verify --quiet "$BASE^{commit}" >/dev/null; then
  if [ -n "${PORTICO_PROTO_BASE:-}" ]; then
    echo "[contracts] FAIL: PORTICO_PROTO_BASE='$BASE' is not a commit in this repository" >&2
    fail=1
  else
    echo "[contracts] skip buf breaking: no 'main' or 'origin/main' here (set PORTICO_PROTO_BASE)"
  fi
elif ! git ls-tree -r --name-only "$BASE" -- proto | grep -q '\.proto$'; then
  echo "[contracts] skip buf breaking: '$BASE' has no committed proto files yet (nothing to break)"
else
  mkdir -p "$TMP/base"
  git archive "$BASE" proto | tar -x -C "$TMP/base"
  if buf breaking proto --against "$TMP/base/proto"; then
    echo "[contracts] no breaking change against '$BASE' ($(git rev-parse --short "$BASE"))"
  else
    echo "[contracts] FAIL: breaking change against the proto committed on '$BASE'." >&2
    echo "[contracts]       Add new fields/messages instead, or publish a new version (v2 package and topic)." >&2
    fail=1
  fi
fi

if [ "$fail" -ne 0 ]; then
  exit 1
fi
echo "[contracts] OK"
