/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point for plain node, by design */
// The ingest benchmark's baseline: a bare Fastify server doing only the least every webhook costs,
// the Standard Webhooks signature check on the raw bytes and a JSON.parse, then 202. No storage, no
// Kafka. Run as its own process (BENCH_PORT, BENCH_SECRET) so it gets a core like the service does.
'use strict';
const fastify = require('fastify');
const { Webhook } = require('standardwebhooks');

const webhook = new Webhook(process.env.BENCH_SECRET);
const app = fastify({ logger: false, bodyLimit: 1_048_576 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.get('/ready', async () => ({ ok: true }));
app.post('/webhooks/:account', async (req, reply) => {
  try {
    webhook.verify(req.body, req.headers, { jsonParse: false });
  } catch {
    return reply.code(401).send({ error: 'signature' });
  }
  JSON.parse(req.body.toString('utf8'));
  return reply.code(202).send({ status: 'accepted', events: 1 });
});
app.listen({ port: Number(process.env.BENCH_PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
