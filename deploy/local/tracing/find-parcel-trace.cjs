// Lists the traces of one parcel in the local Zipkin (deploy/local/observability.sh trace ...).
// A parcel's spans carry its id as `portico.parcel_id` (Portico spans) or as the Kafka record key
// `messaging.kafka.message.key` (producer spans): both are searched.
//
// Usage: node find-parcel-trace.cjs <parcel id>
//        node find-parcel-trace.cjs --tracking <carrier code> <tracking number>   (needs libs/contracts built)
// Environment: ZIPKIN_URL (http://127.0.0.1:9411), LOOKBACK_HOURS (168).
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script run by node as is */
'use strict';
const path = require('node:path');

const ZIPKIN = (process.env.ZIPKIN_URL || 'http://127.0.0.1:9411').replace(/\/+$/, '');
const LOOKBACK_MS = Number(process.env.LOOKBACK_HOURS || 168) * 3600 * 1000;
const TAGS = ['portico.parcel_id', 'messaging.kafka.message.key'];

function parcelIdFromArgs(argv) {
  if (argv[0] === '--tracking') {
    if (argv.length !== 3) throw new Error('usage: --tracking <carrier code> <tracking number>');
    let contracts;
    try {
      contracts = require(path.join(__dirname, '../../../libs/contracts/dist/parcel-id.js'));
    } catch {
      throw new Error(
        'libs/contracts is not built (nx run contracts:build): cannot normalise the tracking number',
      );
    }
    return contracts.parcelId(argv[1], argv[2]);
  }
  if (argv.length !== 1 || !/^prc_[0-9a-f]{32}$/.test(argv[0])) {
    throw new Error(
      'usage: find-parcel-trace.cjs <prc_ + 32 hex> | --tracking <carrier code> <tracking number>',
    );
  }
  return argv[0];
}

async function tracesWithTag(tag, value) {
  const q = new URLSearchParams({
    annotationQuery: `${tag}=${value}`,
    limit: '100',
    lookback: String(LOOKBACK_MS),
    endTs: String(Date.now()),
  });
  const res = await fetch(`${ZIPKIN}/api/v2/traces?${q}`, { signal: AbortSignal.timeout(10000) });
  if (!res.ok) throw new Error(`zipkin ${res.status} for ${tag}: ${await res.text()}`);
  return res.json();
}

async function main() {
  const parcel = parcelIdFromArgs(process.argv.slice(2));
  const byTrace = new Map();
  for (const tag of TAGS)
    for (const trace of await tracesWithTag(tag, parcel)) byTrace.set(trace[0].traceId, trace);
  const found = [...byTrace.values()].map((spans) => {
    const start = Math.min(...spans.map((s) => s.timestamp || Infinity));
    const services = [
      ...new Set(spans.map((s) => s.localEndpoint && s.localEndpoint.serviceName).filter(Boolean)),
    ];
    return {
      traceId: spans[0].traceId,
      start: new Date(start / 1000).toISOString(),
      spans: spans.length,
      services,
      url: `${ZIPKIN}/zipkin/traces/${spans[0].traceId}`,
    };
  });
  found.sort((a, b) => a.start.localeCompare(b.start));
  process.stdout.write(JSON.stringify({ parcelId: parcel, traces: found }, null, 2) + '\n');
  if (found.length === 0) process.exitCode = 3;
}

main().catch((e) => {
  process.stderr.write(`find-parcel-trace: ${e.message}\n`);
  process.exit(1);
});
