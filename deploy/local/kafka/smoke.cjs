// End-to-end check of the local broker (deploy/local/kafka.sh smoke): creates portico.smoke.v1
// when missing, produces one record with acks=-1, reads it back with a fresh consumer group, and
// prints how many records the topic holds, so running it again after a restart shows the data kept.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script run by node as is */
'use strict';
const { randomUUID } = require('node:crypto');
const { Kafka, logLevel } = require('kafkajs');

const TOPIC = 'portico.smoke.v1';

async function main() {
  const broker = process.argv[2] || '127.0.0.1:9092';
  // kafkajs logs retriable answers ("coordinator is loading" on a fresh broker) as ERROR before it
  // retries them; real failures still reject and are printed below.
  const kafka = new Kafka({ clientId: 'portico-kafka-smoke', brokers: [broker], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  const consumer = kafka.consumer({
    groupId: `portico-smoke-${randomUUID()}`,
    allowAutoTopicCreation: false,
  });
  const started = Date.now();
  try {
    await admin.connect();
    const created = await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    const value = `smoke ${new Date().toISOString()} ${randomUUID()}`;
    await producer.connect();
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'smoke', value }] });

    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let seen = 0;
    const found = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`record not consumed within 30 s (${seen} seen)`)),
        30_000,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen += 1;
            if (message.value && message.value.toString() === value) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await found;
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    process.stdout.write(
      `smoke ok: topic ${TOPIC} ${created ? 'created' : 'already existed'}, produced and consumed 1 record ` +
        `in ${Date.now() - started} ms; the topic holds ${total} record(s)\n`,
    );
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

main().catch((err) => {
  process.stderr.write(`smoke failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
