import { Kafka, logLevel, type Admin } from 'kafkajs';

/**
 * A kafkajs client for test plumbing. Quiet: kafkajs logs retriable answers (a coordinator still
 * loading, a leader moving) as ERROR before retrying them, and real failures reject anyway.
 */
export function testKafkaClient(
  brokers: string[],
  overrides: { connectionTimeout?: number; requestTimeout?: number; retries?: number } = {},
): Kafka {
  return new Kafka({
    clientId: 'portico-testing',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: overrides.connectionTimeout ?? 3_000,
    requestTimeout: overrides.requestTimeout ?? 30_000,
    retry: overrides.retries === undefined ? undefined : { retries: overrides.retries },
  });
}

/** Runs `work` with a connected admin client and always disconnects it. */
export async function withAdmin<T>(brokers: string[], work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafkaClient(brokers).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** True when a broker answers a cluster metadata request within about two seconds. */
export async function kafkaAnswers(brokers: string[]): Promise<boolean> {
  const admin = testKafkaClient(brokers, {
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retries: 0,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
