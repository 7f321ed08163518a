/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point for plain node, by design */
// The notify benchmark's webhook subscriber: a bare node:http server in its own process (BENCH_PORT)
// that answers every POST 204 at once. It keeps what the benchmark checks afterwards: distinct
// webhook-ids (retries and replays reuse theirs: a repeat is a duplicate, not a new delivery), the
// first and last arrival times, the body sizes, and per parcel whether `data.occurredAt` ever went
// backwards (the bench gives each parcel's events increasing times: an inversion is an ordering
// violation). Every BENCH_VERIFY_EVERY-th request is verified with `standardwebhooks` once the
// parent has sent the subscription's secret ({ secret }), so the signatures are proven on a sample
// without the check costing the run. { report: true } answers with the figures, { reset: true }
// forgets everything (between the baseline and the service).
'use strict';
const http = require('node:http');
const { Webhook } = require('standardwebhooks');

const verifyEvery = Number(process.env.BENCH_VERIFY_EVERY || 100);
let verifier;
let state;
function reset() {
  state = {
    requests: 0,
    ids: new Set(),
    firstAt: 0,
    lastAt: 0,
    bodyBytes: 0,
    lastTimeOfParcel: new Map(),
    orderViolations: 0,
    verified: 0,
    verifyFailures: 0,
    arrivals: [],
  };
}
reset();

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200).end('ok');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const now = Date.now();
    const id = req.headers['webhook-id'];
    state.requests++;
    if (verifier && state.requests % verifyEvery === 0) {
      try {
        verifier.verify(raw, req.headers, { jsonParse: false });
        state.verified++;
      } catch {
        state.verifyFailures++;
      }
    }
    if (!state.ids.has(id)) {
      state.ids.add(id);
      if (state.firstAt === 0) state.firstAt = now;
      state.lastAt = now;
      state.arrivals.push(now);
      state.bodyBytes += raw.length;
      try {
        const body = JSON.parse(raw.toString('utf8'));
        const parcel = body.data && body.data.parcel && body.data.parcel.parcelId;
        const at = Date.parse(body.data && body.data.occurredAt);
        if (parcel && !Number.isNaN(at)) {
          const before = state.lastTimeOfParcel.get(parcel);
          if (before !== undefined && at < before) state.orderViolations++;
          state.lastTimeOfParcel.set(parcel, at);
        }
      } catch {
        // not JSON: counted, nothing to order
      }
    }
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.BENCH_PORT), '127.0.0.1', () => process.send({ listening: true }));

process.on('message', (m) => {
  if (m.secret) verifier = new Webhook(m.secret);
  if (m.reset) reset();
  if (m.report)
    process.send({
      report: {
        requests: state.requests,
        unique: state.ids.size,
        firstAt: state.firstAt,
        lastAt: state.lastAt,
        meanBodyBytes: state.ids.size ? state.bodyBytes / state.ids.size : 0,
        orderViolations: state.orderViolations,
        parcels: state.lastTimeOfParcel.size,
        verified: state.verified,
        verifyFailures: state.verifyFailures,
        arrivals: state.arrivals,
      },
    });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
