// Metric inventories for deploy/tests: what dashboards and alert rules query, what the services
// export (statically from their sources, or live from /metrics), and the planned allow-list.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { load as loadYaml } from 'js-yaml';

export const ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
const require = createRequire(join(ROOT, 'package.json'));

const PROMQL_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'group',
  'inf',
  'nan',
]);
/** Prometheus' own series, present without any exporter. */
export const PROMETHEUS_BUILTINS = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
]);

/** Metric names in one PromQL expression (Grafana's $variables allowed). */
export function metricsInPromQL(expr) {
  let s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges, subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, ' ') // Grafana variables
    .replace(/(?<![A-Za-z0-9_:])\d[\w.]*/g, ' '); // numbers and durations (5m, 1e3, 0.5)
  const names = new Set();
  for (const m of s.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*(\()?/g)) {
    const [, name, call] = m;
    if (call || PROMQL_KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\d/.test(name)) continue;
    names.add(name);
  }
  return names;
}

function walk(dir, filter, out = []) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) walk(p, filter, out);
    else if (filter(p)) out.push(p);
  }
  return out;
}

/** [{ file, where, expr }] of every PromQL query in the dashboards and the alert rules. */
export function queriedExpressions() {
  const found = [];
  const dashDir = join(ROOT, 'deploy/grafana/dashboards');
  for (const f of readdirSync(dashDir).filter((n) => n.endsWith('.json'))) {
    const dash = JSON.parse(readFileSync(join(dashDir, f), 'utf8'));
    const visit = (panels) => {
      for (const p of panels ?? []) {
        for (const t of p.targets ?? []) {
          const type = t.datasource?.type ?? p.datasource?.type;
          if (type === 'prometheus' && t.expr)
            found.push({ file: `deploy/grafana/dashboards/${f}`, where: p.title, expr: t.expr });
        }
        visit(p.panels);
      }
    };
    visit(dash.panels);
    for (const v of dash.templating?.list ?? []) {
      const query = typeof v.query === 'string' ? v.query : v.query?.query;
      if (v.datasource?.type === 'prometheus' && query) {
        const inner =
          /^label_values\((.*),\s*[A-Za-z_]+\)$/.exec(query)?.[1] ??
          /^query_result\((.*)\)$/.exec(query)?.[1];
        if (inner)
          found.push({ file: `deploy/grafana/dashboards/${f}`, where: `variable ${v.name}`, expr: inner });
      }
    }
  }
  const rulesDir = join(ROOT, 'deploy/prometheus/rules');
  for (const f of readdirSync(rulesDir).filter((n) => /\.ya?ml$/.test(n))) {
    const doc = loadYaml(readFileSync(join(rulesDir, f), 'utf8'));
    for (const g of doc.groups)
      for (const r of g.rules)
        found.push({
          file: `deploy/prometheus/rules/${f}`,
          where: r.alert ?? r.record,
          expr: String(r.expr),
        });
  }
  return found;
}

/** name -> { status, owner } from deploy/observability/planned-metrics.txt */
export function plannedMetrics() {
  const map = new Map();
  for (const raw of readFileSync(join(ROOT, 'deploy/observability/planned-metrics.txt'), 'utf8').split(
    '\n',
  )) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, status, owner] = line.split(/\s+/);
    if (!['in-progress', 'planned', 'external'].includes(status))
      throw new Error(`planned-metrics.txt: bad status "${status}" for ${name}`);
    if (map.has(name)) throw new Error(`planned-metrics.txt: ${name} listed twice`);
    map.set(name, { status, owner });
  }
  return map;
}

function withSeries(name, type, into) {
  into.set(name, type);
  if (type === 'histogram')
    for (const s of ['_bucket', '_sum', '_count']) into.set(name + s, 'histogram-series');
  if (type === 'summary') for (const s of ['_sum', '_count']) into.set(name + s, 'summary-series');
}

/**
 * Metrics the services register, found in the sources of libs/ and services/ (not tests):
 * prom-client constructors `new Counter|Gauge|Histogram|Summary({ name: '...' })`. name -> type.
 */
export function staticallyExportedMetrics() {
  const out = new Map();
  const files = [...walk(join(ROOT, 'libs'), isSource), ...walk(join(ROOT, 'services'), isSource)];
  const ctor =
    /new\s+(Counter|Gauge|Histogram|Summary)\s*(?:<[^>]*>)?\s*\(\s*\{[^]*?\bname\s*:\s*(['"`])([A-Za-z_:][A-Za-z0-9_:]*)\2/g;
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(ctor)) withSeries(m[3], m[1].toLowerCase(), out);
  }
  return out;
}
function isSource(p) {
  return (
    /\/src\//.test(p) &&
    /\.ts$/.test(p) &&
    !/\.(spec|int-spec)\.ts$/.test(p) &&
    !/\/test-support\//.test(p) &&
    !relative(ROOT, p).startsWith('libs/testing/')
  );
}

/** The default metrics prom-client registers (collectDefaultMetrics), from the installed prom-client. */
export async function promClientDefaultMetrics() {
  const { Registry, collectDefaultMetrics } = require('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const out = new Map();
  for (const m of await registry.getMetricsAsJSON()) withSeries(m.name, m.type, out);
  return out;
}

/** Parses a Prometheus text exposition: name -> type, from # TYPE lines and samples. */
export function parseExposition(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    const t = /^# TYPE ([A-Za-z_:][A-Za-z0-9_:]*) (\w+)/.exec(line);
    if (t) withSeries(t[1], t[2], out);
    else if (/^[A-Za-z_:]/.test(line)) {
      const name = /^([A-Za-z_:][A-Za-z0-9_:]*)/.exec(line)[1];
      if (!out.has(name)) out.set(name, 'untyped');
    }
  }
  return out;
}

/** Base name of a histogram/summary series, or the name itself. */
export function baseName(name, known) {
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (m && (known.has(m[1]) || !known.has(name))) return m[1];
  return name;
}
