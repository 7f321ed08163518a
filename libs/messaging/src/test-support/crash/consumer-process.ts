// A consumer service in its own process, for kill -9 tests. argv[2]: JSON settings.
import { DataSource } from 'typeorm';
import { startTestConsumer } from '../test-consumer-app';
import { HandlerBehaviour } from '../tracking-consumer';

interface Settings {
  databaseUrl: string;
  brokers: string[];
  group: string;
  topic: string;
  handlerDelayMs: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2]!) as Settings;
  const dataSource = new DataSource({ type: 'postgres', url: settings.databaseUrl, extra: { max: 6 } });
  await dataSource.initialize();
  const behaviour = new HandlerBehaviour();
  behaviour.delayMs = settings.handlerDelayMs;
  const consumer = await startTestConsumer({
    ...settings,
    dataSource,
    behaviour,
    concurrency: { stream: 3 },
    // a SIGKILLed member holds its partitions until its session times out: keep that short here
    sessionTimeoutMs: 6_000,
  });
  process.stdout.write('ready\n');
  process.once(
    'SIGTERM',
    () =>
      void consumer
        .close()
        .then(() => dataSource.destroy())
        .then(() => process.exit(0)),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`consumer process failed: ${String(error)}\n`);
  process.exit(1);
});
