// Every template-free YAML file under deploy/ parses (duplicate keys are errors), and the Helm
// chart's own YAML (Chart.yaml, values.yaml) parses too; templates are checked by helm.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadAll } from 'js-yaml';
import { ROOT } from './lib/metrics.mjs';

function walk(dir, out = []) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

const files = walk(join(ROOT, 'deploy')).filter((f) => !f.includes('/deploy/k8s/portico/templates/'));

test('every template-free YAML under deploy/ parses', () => {
  assert.ok(files.length >= 10, `found ${files.length}`);
  for (const f of files) {
    const docs = loadAll(readFileSync(f, 'utf8'));
    assert.ok(docs.length > 0, relative(ROOT, f));
  }
});

test('Helm values.yaml satisfies its own schema', async () => {
  const { load } = await import('js-yaml');
  const Ajv = (await import('ajv')).default;
  const ajv = new Ajv({ allErrors: true });
  const schema = JSON.parse(readFileSync(join(ROOT, 'deploy/k8s/portico/values.schema.json'), 'utf8'));
  const values = load(readFileSync(join(ROOT, 'deploy/k8s/portico/values.yaml'), 'utf8'));
  const ok = ajv.validate(schema, values);
  assert.ok(ok, JSON.stringify(ajv.errors, null, 2));
});
