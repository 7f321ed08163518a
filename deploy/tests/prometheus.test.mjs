// Alert rules: promtool check + unit tests, and the conventions every alert follows
// (runbook_url to an existing runbook that names it, a severity, at least one promtool test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { ROOT } from './lib/metrics.mjs';
import { needTool, run, which } from './lib/tools.mjs';

const RULES = 'deploy/prometheus/rules/portico.rules.yml';
const TESTS = readdirSync(join(ROOT, 'deploy/prometheus/tests'))
  .filter((f) => f.endsWith('.test.yml'))
  .map((f) => `deploy/prometheus/tests/${f}`);
const alerts = loadYaml(readFileSync(join(ROOT, RULES), 'utf8'))
  .groups.flatMap((g) => g.rules)
  .filter((r) => r.alert);

test('promtool check rules', (t) => {
  if (!needTool(t, which('promtool'), 'promtool not installed (Debian: apt-get install prometheus)')) return;
  const res = run('promtool', ['check', 'rules', RULES]);
  assert.equal(res.status, 0, res.stdout + res.stderr);
});

test('promtool test rules', (t) => {
  if (!needTool(t, which('promtool'), 'promtool not installed (Debian: apt-get install prometheus)')) return;
  const res = run('promtool', ['test', 'rules', ...TESTS]);
  assert.equal(res.status, 0, res.stdout + res.stderr);
});

test('promtool check config of the compose Prometheus', (t) => {
  if (!needTool(t, which('promtool'), 'promtool not installed (Debian: apt-get install prometheus)')) return;
  const res = run('promtool', ['check', 'config', '--syntax-only', 'deploy/compose/config/prometheus.yml']);
  assert.equal(res.status, 0, res.stdout + res.stderr);
});

test('every alert has a severity, a runbook that exists and names it, and a unit test', () => {
  const tested = TESTS.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  for (const a of alerts) {
    assert.match(a.labels?.severity ?? '', /^(page|ticket)$/, `${a.alert}: severity page|ticket`);
    const url = a.annotations?.runbook_url ?? '';
    assert.match(url, /^docs\/runbooks\/[a-z0-9-]+\.md$/, `${a.alert}: runbook_url docs/runbooks/<alert>.md`);
    assert.ok(existsSync(join(ROOT, url)), `${a.alert}: ${url} missing`);
    assert.ok(readFileSync(join(ROOT, url), 'utf8').includes(a.alert), `${url} does not mention ${a.alert}`);
    assert.ok(tested.includes(`alertname: ${a.alert}`), `${a.alert} has no promtool test`);
    assert.ok(a.annotations?.summary && a.annotations?.description, `${a.alert}: summary and description`);
  }
  const runbooks = readdirSync(join(ROOT, 'docs/runbooks')).filter(
    (f) => f.endsWith('.md') && f !== 'README.md',
  );
  const referenced = new Set(alerts.map((a) => a.annotations.runbook_url.replace('docs/runbooks/', '')));
  assert.deepEqual(
    runbooks.filter((f) => !referenced.has(f)),
    [],
    'runbooks no alert points at',
  );
});
