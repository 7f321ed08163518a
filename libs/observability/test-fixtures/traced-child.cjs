// Child process for tracing.int-spec.ts: the real main.ts order (tracing first, then http, pg, kafkajs
// required), one request that queries Postgres and produces to Kafka, spans exported over OTLP/HTTP.
/* eslint-disable @typescript-eslint/no-require-imports */
const { startTracing, shutdownTracing } = require('@portico/observability/tracing');

const env = process.env;
if (env.PRELOAD_PG === '1') require('pg');
startTracing({ serviceName: 'traced-child', otlpEndpoint: env.OTLP_ENDPOINT });

const http = require('node:http');
const { Client } = require('pg');
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const kafka = env.KAFKA_BROKERS
    ? new Kafka({
        clientId: 'traced-child',
        brokers: env.KAFKA_BROKERS.split(','),
        logLevel: logLevel.NOTHING,
      })
    : undefined;
  let producer;
  if (kafka) {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: env.KAFKA_TOPIC, numPartitions: 1, replicationFactor: 1 }],
    });
    await admin.disconnect();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  }
  const server = http.createServer(async (_req, res) => {
    const db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    await db.query('SELECT 1 AS one');
    await db.end();
    if (producer)
      await producer.send({ topic: env.KAFKA_TOPIC, messages: [{ key: 'parcel-1', value: 'x' }] });
    res.end('ok');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((resolve, reject) => {
    http
      .get(`http://127.0.0.1:${port}/work`, (res) => {
        res.resume();
        res.on('end', resolve);
      })
      .on('error', reject);
  });
  server.close();
  if (producer) await producer.disconnect();
  await shutdownTracing();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
