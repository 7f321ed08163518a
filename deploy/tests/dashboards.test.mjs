// Grafana dashboards: generated JSON up to date, well-formed, wired to the provisioned data sources;
// the parcel-trace dashboard searches the parcel id span attributes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { ROOT } from './lib/metrics.mjs';
import { run } from './lib/tools.mjs';

const DIR = join(ROOT, 'deploy/grafana/dashboards');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const dashboards = files.map((f) => ({ file: f, json: JSON.parse(readFileSync(join(DIR, f), 'utf8')) }));
const provisioned = loadYaml(
  readFileSync(join(ROOT, 'deploy/grafana/provisioning/datasources/portico.yaml'), 'utf8'),
).datasources;

test('dashboard JSON is what build-dashboards.mjs generates', () => {
  const res = run(process.execPath, ['deploy/grafana/build-dashboards.mjs', '--check']);
  assert.equal(res.status, 0, res.stdout + res.stderr);
});

test("the issue's dashboards exist", () => {
  const uids = dashboards.map((d) => d.json.uid).sort();
  assert.deepEqual(uids, [
    'portico-claims',
    'portico-clearance',
    'portico-intake',
    'portico-outbound-webhooks',
    'portico-outreach',
    'portico-parcel-trace',
    'portico-pipeline',
    'portico-vault',
  ]);
});

test('every panel uses a provisioned data source and has a place on the grid', () => {
  const uids = new Map(provisioned.map((d) => [d.uid, d.type]));
  for (const { file, json } of dashboards) {
    const ids = new Set();
    for (const p of json.panels) {
      assert.ok(
        p.gridPos && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24,
        `${file} ${p.title}: gridPos`,
      );
      assert.ok(!ids.has(p.id), `${file}: duplicate panel id ${p.id}`);
      ids.add(p.id);
      if (p.type === 'row' || p.type === 'text') continue;
      for (const ds of [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]) {
        assert.equal(
          uids.get(ds?.uid),
          ds?.type,
          `${file} ${p.title}: data source ${JSON.stringify(ds)} is not provisioned`,
        );
      }
      assert.ok((p.targets ?? []).length > 0, `${file} ${p.title}: no query`);
    }
  }
});

test('the parcel dashboard finds traces by parcel id attribute and Kafka key, and logs by parcel id', () => {
  const d = dashboards.find((x) => x.json.uid === 'portico-parcel-trace').json;
  const queries = d.panels.flatMap((p) => p.targets ?? []).map((t) => t.query ?? t.expr);
  assert.ok(
    queries.some(
      (q) =>
        /span\.portico\.parcel_id = "\$parcel_id"/.test(q) &&
        /span\.messaging\.kafka\.message\.key = "\$parcel_id"/.test(q),
    ),
  );
  assert.ok(queries.some((q) => q.includes('|= "$parcel_id"')));
  assert.ok(d.templating.list.some((v) => v.name === 'parcel_id' && v.type === 'textbox'));
  const help = d.panels.find((p) => p.type === 'text').options.content;
  assert.match(help, /sha256|SHA-256/i);
  assert.match(help, /parcel-id\.ts/);
});

test('Tempo links to Loki (trace to logs) and Loki to Tempo (derived field)', () => {
  const tempo = provisioned.find((d) => d.type === 'tempo');
  const loki = provisioned.find((d) => d.type === 'loki');
  assert.equal(tempo.jsonData.tracesToLogsV2.datasourceUid, loki.uid);
  assert.ok(loki.jsonData.derivedFields.every((f) => f.datasourceUid === tempo.uid));
  // Provisioning expands $VAR: Grafana's own ${__...} macros must be escaped as $${...}.
  assert.doesNotMatch(JSON.stringify(provisioned), /[^$]\$\{__/);
});
