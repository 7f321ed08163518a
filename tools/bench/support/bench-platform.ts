import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createTestDatabase } from '@portico/testing';
import { freePort, REPO_ROOT, ServiceProcess } from '@portico/testing/platform';
import type { Cleanup } from './cleanup';

export const BENCH_LOG_DIR = join(REPO_ROOT, '.local', 'bench');

const secret = (bytes = 32) => randomBytes(bytes).toString('base64url');

/**
 * Settings every service of one benchmark run shares (the keys `deploy/local` would generate), so
 * that, e.g., carrier-ingestion and notification digest recipients with the same key.
 */
export function sharedBenchSettings(brokers: readonly string[], services: readonly string[]) {
  const tokens = Object.fromEntries(services.map((s) => [s, secret()]));
  return {
    tokens,
    env: {
      KAFKA_BROKERS: brokers.join(','),
      LOG_LEVEL: 'warn',
      AUTH_DEV_TOKEN_KEY: secret(),
      AUTH_SERVICE_TOKENS: services.map((s) => `${s}=${tokens[s]}`).join(','),
      AUTH_API_KEY_PEPPERS: `p1=${secret()}`,
      RECIPIENT_DIGEST_KEYS: `k1=${secret()}`,
      CARRIER_SECRETS_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'),
      SHUTDOWN_TIMEOUT_MS: '8000',
    } as Record<string, string>,
  };
}

/**
 * One service from this checkout's `dist/` as its own process on a fresh scratch database
 * (migrated), or on `reuse.databaseUrl` (a restart), registered with `cleanup` as `service <name><tag>`
 * so that the process stops and the database is dropped however the run ends. Consumer group and
 * client id are the run's own.
 */
export async function startBenchService(
  cleanup: Cleanup,
  name: string,
  runId: string,
  env: Record<string, string>,
  reuse: { databaseUrl?: string; tag?: string } = {},
): Promise<{ service: ServiceProcess; databaseUrl: string; stepName: string }> {
  let databaseUrl = reuse.databaseUrl;
  if (!databaseUrl) {
    const db = await createTestDatabase(`bench_${name.replace(/-/g, '_')}`);
    cleanup.add(`database ${db.name}`, () => db.drop());
    databaseUrl = db.url;
  }
  const service = new ServiceProcess(
    name,
    await freePort(),
    {
      DATABASE_URL: databaseUrl,
      KAFKA_CONSUMER_GROUP: `bench-${runId}-${name}`,
      KAFKA_CLIENT_ID: `bench-${runId}-${name}`,
      ...env,
    },
    BENCH_LOG_DIR,
  );
  if (!reuse.databaseUrl) service.migrate();
  const stepName = `service ${name}${reuse.tag ?? ''}`;
  cleanup.add(stepName, () => service.stop());
  await service.start();
  return { service, databaseUrl, stepName };
}
