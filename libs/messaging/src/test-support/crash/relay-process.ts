// An outbox relay in its own process, for kill -9 tests. argv[2]: JSON settings.
import { DataSource } from 'typeorm';
import { OutboxRelay } from '../../outbox/outbox-relay';

interface Settings {
  databaseUrl: string;
  brokers: string[];
  batchSize: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2]!) as Settings;
  const dataSource = new DataSource({ type: 'postgres', url: settings.databaseUrl, extra: { max: 4 } });
  await dataSource.initialize();
  const relay = new OutboxRelay({
    dataSource,
    kafka: { brokers: settings.brokers, clientId: 'crash-relay' },
    batchSize: settings.batchSize,
  });
  await relay.start();
  process.stdout.write('started\n');
  process.once(
    'SIGTERM',
    () =>
      void relay
        .stop()
        .then(() => dataSource.destroy())
        .then(() => process.exit(0)),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`relay process failed: ${String(error)}\n`);
  process.exit(1);
});
