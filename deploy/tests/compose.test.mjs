// deploy/compose: rendered and validated by Compose itself (its JSON schema), without an engine,
// plus the conventions the issue asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { ROOT } from './lib/metrics.mjs';
import { composeCommand, needTool, run } from './lib/tools.mjs';
import { PUBLIC_URLS, UPSTREAMS, servicePorts } from './lib/wiring.mjs';

const FILE = 'deploy/compose/compose.yaml';
const SERVICES = ['carrier-ingestion', 'clearance', 'id-vault', 'notification', 'claims', 'console'];

function render(envFile = 'deploy/compose/.env.example') {
  const cmd = composeCommand();
  if (!cmd) return undefined;
  const res = run(cmd[0], [...cmd.slice(1), '--env-file', envFile, '-f', FILE, 'config']);
  return { cmd: cmd.join(' '), ...res };
}

/** caller=token pairs of AUTH_SERVICE_TOKENS. */
const serviceTokens = (raw) => Object.fromEntries(raw.split(',').map((e) => e.split(/=(.*)/s).slice(0, 2)));

/** The port a compose service publishes on 127.0.0.1 for its HTTP_PORT (short or long syntax). */
function publishedPort(svc) {
  for (const p of svc.ports ?? []) {
    const [ip, published, target] =
      typeof p === 'object'
        ? [p.host_ip, p.published, p.target]
        : (/^([\d.]+):(\d+):(\d+)(?:\/tcp)?$/.exec(p)?.slice(1) ?? []);
    if (ip === '127.0.0.1' && Number(target) === Number(svc.environment.HTTP_PORT)) return Number(published);
  }
  return undefined;
}

test('compose config renders and validates (docker compose or docker-compose, no engine needed)', (t) => {
  const r = render();
  if (
    !needTool(
      t,
      r,
      'neither `docker compose` nor `docker-compose` is installed (Debian: apt-get install docker-compose)',
    )
  )
    return;
  assert.equal(r.status, 0, `${r.cmd} config failed:\n${r.stderr}`);
  const cfg = loadYaml(r.stdout);
  assert.deepEqual(
    Object.keys(cfg.services)
      .filter((s) => SERVICES.includes(s))
      .sort(),
    [...SERVICES].sort(),
  );
});

test('compose refuses to start without the secrets of .env', (t) => {
  const cmd = composeCommand();
  if (!needTool(t, cmd, 'no compose client')) return;
  const res = run(
    cmd[0],
    [...cmd.slice(1), '--project-directory', '/nonexistent-portico', '-f', FILE, 'config'],
    { env: { PATH: process.env.PATH } },
  );
  assert.notEqual(res.status, 0);
  assert.match(res.stderr, /gen-env\.sh/);
});

test('stack conventions: migrations first, KRaft without auto-create, pinned images, loopback ports, no literal secrets', () => {
  const raw = readFileSync(join(ROOT, FILE), 'utf8');
  const cfg = loadYaml(raw);
  const s = cfg.services;
  for (const name of SERVICES) {
    assert.equal(s[name].depends_on[`migrate-${name}`]?.condition, 'service_completed_successfully', name);
    assert.deepEqual(s[`migrate-${name}`].command, ['node', `services/${name}/dist/src/migrate.js`]);
    assert.equal(s[name].build.target, name);
    assert.equal(s[name].build.dockerfile, 'deploy/docker/service.Dockerfile');
    assert.match(s[name].environment.OTEL_EXPORTER_OTLP_ENDPOINT, /otel-collector:4318/);
    for (const p of s[name].ports ?? []) assert.match(p, /^127\.0\.0\.1:/, `${name} port ${p}`);
  }
  assert.equal(s.kafka.image, 'apache/kafka:3.9.1');
  assert.equal(s.kafka.environment.KAFKA_AUTO_CREATE_TOPICS_ENABLE, 'false');
  assert.equal(s.kafka.environment.KAFKA_PROCESS_ROLES, 'broker,controller');
  assert.match(s.postgres.image, /^postgres:15\./);
  for (const [name, svc] of Object.entries(s)) {
    if (svc.image && !svc.image.startsWith('portico/'))
      assert.match(svc.image, /:[^:]*\d[^:]*$/, `${name}: ${svc.image} must be an exact tag`);
    assert.doesNotMatch(svc.image ?? '', /:latest$/);
  }
  for (const c of ['otel-collector', 'tempo', 'loki', 'alloy', 'prometheus', 'grafana', 'kafka-exporter'])
    assert.ok(s[c], `${c} missing`);
  // Every secret comes from .env through ${...}.
  for (const key of ['PASSWORD', 'TOKEN', 'KEY', 'PEPPERS']) {
    for (const m of raw.matchAll(new RegExp(`^\\s+[A-Z_]*${key}[A-Z_]*:\\s*(.+)$`, 'gm')))
      assert.match(m[1], /\$\{/, `literal secret: ${m[0].trim()}`);
  }
  // .env.example names every variable compose interpolates.
  const example = readFileSync(join(ROOT, 'deploy/compose/.env.example'), 'utf8');
  const vars = new Set([...raw.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
  for (const v of vars) assert.match(example, new RegExp(`^${v}=`, 'm'), `.env.example lacks ${v}`);
});

test('the compose Prometheus scrapes every service and loads the shared rules', () => {
  const prom = loadYaml(readFileSync(join(ROOT, 'deploy/compose/config/prometheus.yml'), 'utf8'));
  const job = prom.scrape_configs.find((j) => j.job_name === 'portico');
  assert.equal(job.honor_labels, true);
  const targets = job.static_configs.flatMap((c) => c.targets);
  assert.deepEqual(targets.sort(), [
    'carrier-ingestion:3001',
    'claims:3005',
    'clearance:3002',
    'console:3006',
    'id-vault:3003',
    'notification:3004',
  ]);
  assert.deepEqual(prom.rule_files, ['/etc/prometheus/rules/*.yml']);
});

test('inter-service URLs name compose services by their ports; browser-facing ones the published ports', () => {
  const s = loadYaml(readFileSync(join(ROOT, FILE), 'utf8')).services;
  const ports = servicePorts();
  for (const name of SERVICES)
    assert.equal(Number(s[name].environment.HTTP_PORT), ports[name], `${name} HTTP_PORT`);
  for (const [svc, settings] of Object.entries(UPSTREAMS)) {
    for (const [setting, target] of Object.entries(settings)) {
      const value = s[svc].environment[setting];
      assert.equal(value, `http://${target}:${ports[target]}`, `${svc} ${setting}`);
      // The caller starts once the API it calls answers /health/ready.
      assert.equal(s[svc].depends_on[target]?.condition, 'service_healthy', `${svc} depends on ${target}`);
    }
  }
  // Every URL anywhere in a Portico service's settings that names a compose service: that service
  // exists and listens on that port (a typo, or a service moved to another port, fails here).
  for (const name of SERVICES) {
    for (const [k, v] of Object.entries(s[name].environment)) {
      const m = /^https?:\/\/([a-z0-9-]+):(\d+)/.exec(String(v));
      if (!m || m[1] === '127.0.0.1' || !s[m[1]]) continue;
      if (!ports[m[1]]) continue; // infrastructure (kafka, otel-collector) is checked above
      assert.equal(Number(m[2]), ports[m[1]], `${name} ${k}: ${m[1]} listens on ${ports[m[1]]}`);
    }
  }
  assert.deepEqual(
    SERVICES.flatMap((name) =>
      Object.entries(s[name].environment)
        .filter(([k, v]) => /127\.0\.0\.1|localhost/.test(String(v)) && !PUBLIC_URLS[name]?.[k])
        .map(([k]) => `${name} ${k}`),
    ),
    [],
    'loopback addresses inside a container that are not browser-facing',
  );
  assert.equal(s.console.depends_on['migrate-console'].condition, 'service_completed_successfully');
  assert.ok(s.console.healthcheck.test.join(' ').includes('/health/ready'));
});

test('with .env.example and with a fresh gen-env.sh: public URLs are published ports, notification presents its own token to id-vault', (t) => {
  const cmd = composeCommand();
  if (!needTool(t, cmd, 'no compose client')) return;
  const dir = mkdtempSync(join(tmpdir(), 'portico-gen-env-'));
  try {
    // gen-env.sh writes .env next to itself: run a copy, never touch deploy/compose/.env.
    copyFileSync(join(ROOT, 'deploy/compose/gen-env.sh'), join(dir, 'gen-env.sh'));
    const gen = run('bash', [join(dir, 'gen-env.sh')]);
    assert.equal(gen.status, 0, gen.stderr);
    for (const envFile of ['deploy/compose/.env.example', join(dir, '.env')]) {
      const r = render(envFile);
      assert.equal(r.status, 0, `${envFile}: ${r.stderr}`);
      const s = loadYaml(r.stdout).services;
      for (const [svc, settings] of Object.entries(PUBLIC_URLS))
        for (const [setting, target] of Object.entries(settings))
          assert.equal(
            s[svc].environment[setting],
            `http://127.0.0.1:${publishedPort(s[target])}`,
            `${envFile}: ${svc} ${setting}`,
          );
      const accepted = serviceTokens(s['id-vault'].environment.AUTH_SERVICE_TOKENS);
      assert.ok(accepted.notification?.length >= 24, `${envFile}: id-vault accepts notification`);
      assert.equal(s.notification.environment.VAULT_SERVICE_TOKEN, accepted.notification, envFile);
      assert.ok(s.notification.environment.WEBHOOK_SECRETS_KEY, envFile);
      assert.ok(
        s['id-vault'].environment.AUDIT_SIGNING_KEY && s['id-vault'].environment.AUDIT_EXPORT_DIR,
        envFile,
      );
      assert.ok(
        s['id-vault'].volumes.some(
          (v) => (v.target ?? String(v).split(':')[1]) === s['id-vault'].environment.AUDIT_EXPORT_DIR,
        ),
        `${envFile}: the audit export directory is a volume`,
      );
    }
    // The generated key is a real Ed25519 key (id-vault refuses anything else at start).
    const env = readFileSync(join(dir, '.env'), 'utf8');
    const key = /^AUDIT_SIGNING_KEY=(.+)$/m.exec(env)[1];
    assert.equal(
      createPrivateKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'pkcs8' }).asymmetricKeyType,
      'ed25519',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("person tokens: every service verifies the console's JWKS, no development key; gen-env.sh makes a P-256 signing JWK with a kid", (t) => {
  const cmd = composeCommand();
  if (!needTool(t, cmd, 'no compose client')) return;
  const dir = mkdtempSync(join(tmpdir(), 'portico-gen-env-'));
  try {
    copyFileSync(join(ROOT, 'deploy/compose/gen-env.sh'), join(dir, 'gen-env.sh'));
    assert.equal(run('bash', [join(dir, 'gen-env.sh')]).status, 0);
    const r = render(join(dir, '.env'));
    assert.equal(r.status, 0, r.stderr);
    const s = loadYaml(r.stdout).services;
    const port = servicePorts().console;
    for (const svc of SERVICES) {
      const env = s[svc].environment;
      assert.equal(env.AUTH_JWKS_URL, `http://console:${port}/.well-known/jwks.json`, svc);
      assert.equal(env.AUTH_OIDC_ISSUER, `http://console:${port}`, svc);
      assert.equal(env.AUTH_DEV_TOKEN_KEY, undefined, `${svc}: no development key next to a JWKS`);
    }
    for (const svc of SERVICES.filter((x) => x !== 'console'))
      assert.equal(s[svc].environment.CONSOLE_TOKEN_SIGNING_KEYS, undefined, `${svc} must not hold the console's key`);
    const keys = JSON.parse(s.console.environment.CONSOLE_TOKEN_SIGNING_KEYS);
    assert.equal(keys.length, 1);
    assert.match(keys[0].kid, /^compose-\d{4}-\d{2}-\d{2}$/);
    const key = createPrivateKey({ key: keys[0], format: 'jwk' });
    assert.equal(key.asymmetricKeyType, 'ec');
    assert.equal(key.asymmetricKeyDetails.namedCurve, 'prime256v1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
