#!/usr/bin/env bash
# Lint the proto module and regenerate libs/contracts/src/gen (protobuf-es, committed).
# Runs offline: buf and protoc-gen-es come from node_modules, the well-known types ship with buf.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:$PATH"

command -v buf >/dev/null || { echo "proto/generate.sh: buf not found; run npm ci first" >&2; exit 1; }

echo "[contracts] buf lint"
buf lint proto
echo "[contracts] buf generate -> libs/contracts/src/gen"
buf generate proto --template proto/buf.gen.yaml
echo "[contracts] done"
