// Which settings of which service point at another service, for the compose and Helm checks.
// The tables are the deployment's contract; settingsPointingAnywhere() reads the services' own
// settings so that a new URL setting, or one whose default names another service's port, fails
// the tests until it is classified here (and wired in compose.yaml and the chart).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './metrics.mjs';

/** Base URLs of another service's internal API: service -> { setting: target service }. */
export const UPSTREAMS = {
  notification: { VAULT_INTERNAL_URL: 'id-vault' },
  console: {
    CONSOLE_NOTIFICATION_URL: 'notification',
    CONSOLE_VAULT_URL: 'id-vault',
    CONSOLE_CLEARANCE_URL: 'clearance',
    CONSOLE_CLAIMS_URL: 'claims',
    CONSOLE_CARRIER_INGESTION_URL: 'carrier-ingestion',
  },
};

/** Browser-facing base URLs (residents, carriers): service -> { setting: service it names }. */
export const PUBLIC_URLS = {
  'id-vault': { VAULT_PUBLIC_URL: 'id-vault' },
  console: { CONSOLE_VAULT_PUBLIC_URL: 'id-vault' },
  claims: { CLAIMS_PUBLIC_URL: 'claims' },
};

/** URL settings that point outside the platform (providers, infrastructure): not wired by name. */
export const EXTERNAL_URLS = new Set([
  'DATABASE_URL', // a secret (the service's own database)
  'OTEL_EXPORTER_OTLP_ENDPOINT', // the collector, wired separately
  'AUTH_JWKS_URL', // the identity provider
  'AUTH_OIDC_ISSUER', // compared with the tokens' "iss", never called (the default is a 127.0.0.1 URL)
  'SMS_GATEWAY_URL',
  'WECOM_ROBOT_BASE_URL',
  'WECOM_APP_BASE_URL', // WeCom's app API (residents' app messages)
  'DINGTALK_ROBOT_BASE_URL',
  'CLAIMS_SMTP_URL', // a secret (carries credentials)
  'VAULT_S3_ENDPOINT',
  // the console's own callback and post-logout addresses as registered at the OpenID provider:
  // full URLs with a path, set with the provider's registration (off when CONSOLE_OIDC_ISSUER is empty)
  'CONSOLE_OIDC_REDIRECT_URL',
  'CONSOLE_OIDC_POST_LOGOUT_URL',
]);

function tsFiles(dir, out = []) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      if (!['web', 'test-support'].includes(e)) tsFiles(p, out);
    } else if (e.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(e)) out.push(p);
  }
  return out;
}

/** `setting('NAME', …)` definitions of some sources: name -> the text of its definition. */
function settingsIn(files) {
  const out = new Map();
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    const starts = [...src.matchAll(/setting\(\s*'([A-Z][A-Z0-9_]*)'/g)];
    starts.forEach((m, i) => out.set(m[1], src.slice(m.index, starts[i + 1]?.index ?? m.index + 600)));
  }
  return out;
}

/** Each service's HTTP port, from its commonSettings(…, { port }) in config.ts. */
export function servicePorts() {
  const ports = {};
  for (const svc of readdirSync(join(ROOT, 'services'))) {
    let src;
    try {
      src = readFileSync(join(ROOT, 'services', svc, 'src/config.ts'), 'utf8');
    } catch {
      continue;
    }
    const m = /commonSettings\(\s*SERVICE_NAME,\s*\{\s*port:\s*(\d+)/.exec(src);
    if (m) ports[svc] = Number(m[1]);
  }
  return ports;
}

/**
 * Every setting of every service that looks like an address: its name ends in _URL/_ENDPOINT, or its
 * default is a 127.0.0.1 URL. Returns [{ service, setting, defaultPort }] (defaultPort: the port of
 * that 127.0.0.1 default, when there is one). Library settings (libs/config, libs/auth) count for
 * every service; their URL settings are external ones.
 */
export function settingsPointingAnywhere() {
  const libs = settingsIn(['libs/config/src', 'libs/auth/src'].flatMap((d) => tsFiles(join(ROOT, d))));
  const found = [];
  for (const svc of Object.keys(servicePorts())) {
    const own = settingsIn(tsFiles(join(ROOT, 'services', svc, 'src')));
    for (const [setting, text] of [...libs, ...own]) {
      const loopback = /['"`]https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)/.exec(text);
      if (/_(URL|ENDPOINT)$/.test(setting) || loopback)
        found.push({ service: svc, setting, defaultPort: loopback ? Number(loopback[1]) : undefined });
    }
  }
  return found;
}
