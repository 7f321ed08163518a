// Every metric a dashboard panel or an alert rule queries must be exported by a Portico service,
// be a prom-client default or a Prometheus built-in, or be listed (with the issue that adds it) in
// deploy/observability/planned-metrics.txt. Listed entries must be really pending: a listed metric
// that a service exports, or that nothing queries, fails.
//
// Static mode (default): "exported" = registered in libs/*/src or services/*/src (prom-client
// constructors), plus prom-client's default metrics.
// Live mode (PORTICO_LIVE_METRICS=1): "exported" = what the running services answer on
// http://127.0.0.1:3001-3006/metrics (PORTICO_METRICS_URLS overrides, comma-separated); every
// service must answer, and every statically found metric must be there too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROMETHEUS_BUILTINS,
  baseName,
  metricsInPromQL,
  parseExposition,
  plannedMetrics,
  promClientDefaultMetrics,
  queriedExpressions,
  staticallyExportedMetrics,
} from './lib/metrics.mjs';

const LIVE = process.env.PORTICO_LIVE_METRICS === '1';
const URLS = (
  process.env.PORTICO_METRICS_URLS ??
  [3001, 3002, 3003, 3004, 3005, 3006].map((p) => `http://127.0.0.1:${p}/metrics`).join(',')
)
  .split(',')
  .map((u) => u.trim())
  .filter(Boolean);

async function exported() {
  const statics = staticallyExportedMetrics();
  const defaults = await promClientDefaultMetrics();
  if (!LIVE) return new Map([...statics, ...defaults]);
  const live = new Map();
  const failures = [];
  for (const url of URLS) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      for (const [k, v] of parseExposition(await res.text())) live.set(k, v);
    } catch (error) {
      failures.push(`${url}: ${error.message}`);
    }
  }
  assert.deepEqual(
    failures,
    [],
    `live mode: every service must answer /metrics (start them with npm run up)`,
  );
  const missingLive = [...statics.keys()].filter((n) => !live.has(n) && !/_(bucket|sum|count)$/.test(n));
  assert.deepEqual(
    missingLive,
    [],
    'registered in the sources but not served by any running service (stale build?)',
  );
  return live;
}

test('the metric name extractor understands the PromQL used here', () => {
  assert.deepEqual(
    [
      ...metricsInPromQL(
        'sum by (le, service) (rate(http_server_request_duration_seconds_bucket{service=~"$service",route!~"/health/.*"}[$__rate_interval])) / on(service) group_left(x) up{job="portico"} > bool 0.5',
      ),
    ].sort(),
    ['http_server_request_duration_seconds_bucket', 'up'],
  );
  assert.deepEqual(
    [
      ...metricsInPromQL(
        'time() - max(a_b_seconds) > 7200 and deriv(c_total[15m:1m]) > 0 unless d offset 5m',
      ),
    ].sort(),
    ['a_b_seconds', 'c_total', 'd'],
  );
});

test('dashboards and alerts query only exported or known-pending metrics', async () => {
  const planned = plannedMetrics();
  const available = await exported();
  const queried = queriedExpressions();
  assert.ok(queried.length > 50, `expected many queries, found ${queried.length}`);
  const unknown = [];
  const usedPlanned = new Set();
  for (const { file, where, expr } of queried) {
    for (const name of metricsInPromQL(expr)) {
      if (available.has(name) || PROMETHEUS_BUILTINS.has(name)) continue;
      const base = baseName(name, planned);
      if (planned.has(base)) {
        usedPlanned.add(base);
        continue;
      }
      unknown.push(`${name} in ${file} (${where})`);
    }
  }
  assert.deepEqual(
    unknown,
    [],
    'queried but neither exported nor listed in deploy/observability/planned-metrics.txt',
  );

  const nowExported = [...planned.keys()].filter((n) => available.has(n));
  assert.deepEqual(
    nowExported,
    [],
    'exported now: delete these lines from deploy/observability/planned-metrics.txt',
  );
  const unused = [...planned.keys()].filter((n) => !usedPlanned.has(n));
  assert.deepEqual(unused, [], 'listed in planned-metrics.txt but queried by no dashboard or rule');

  const pending = [...usedPlanned].filter((n) => planned.get(n).status !== 'external').sort();
  // Visible in the test output: what still shows "No data".
  console.log(
    `# ${LIVE ? 'live' : 'static'} mode; pending metrics (${pending.length}): ${pending.join(', ')}`,
  );
});
