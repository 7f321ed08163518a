// Readiness probe for deploy/local/kafka.sh: exits 0 when the broker at argv[2] answers a
// cluster metadata request, 1 otherwise. One attempt with short timeouts: the shell loop retries.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script run by node as is */
'use strict';
const { Kafka, logLevel } = require('kafkajs');

async function main() {
  const broker = process.argv[2] || '127.0.0.1:9092';
  const admin = new Kafka({
    clientId: 'portico-kafka-probe',
    brokers: [broker],
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    // The broker must list itself: until it has registered with the controller it is fenced.
    if (cluster.brokers.length === 0) throw new Error('no broker registered yet');
    process.stdout.write(`cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)\n`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`kafka probe: ${err && err.message ? err.message : err}\n`);
    process.exit(1);
  },
);
