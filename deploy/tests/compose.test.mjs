// deploy/compose: rendered and validated by Compose itself (its JSON schema), without an engine,
// plus the conventions the issue asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { ROOT } from './lib/metrics.mjs';
import { composeCommand, needTool, run } from './lib/tools.mjs';

const FILE = 'deploy/compose/compose.yaml';
const SERVICES = ['carrier-ingestion', 'clearance', 'id-vault', 'notification', 'claims'];

function render() {
  const cmd = composeCommand();
  if (!cmd) return undefined;
  const res = run(cmd[0], [
    ...cmd.slice(1),
    '--env-file',
    'deploy/compose/.env.example',
    '-f',
    FILE,
    'config',
  ]);
  return { cmd: cmd.join(' '), ...res };
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
    'id-vault:3003',
    'notification:3004',
  ]);
  assert.deepEqual(prom.rule_files, ['/etc/prometheus/rules/*.yml']);
});
