// The console as a process from its build for integration specs: a fresh database (real
// Postgres), its own consumer group on the broker the specs use, the development key, migrated;
// plus the accounts command for seeding. Each spec adds the settings it is about.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { processEnvironment } from '@portico/config';
import { createTestDatabase, getTestKafka, type TestDatabase } from '@portico/testing';
import { freePort, REPO_ROOT, ServiceProcess } from '@portico/testing/platform';

export interface ConsoleUnderTest {
  readonly db: TestDatabase;
  readonly console: ServiceProcess;
  readonly brokers: string[];
  readonly group: string;
}

/** Migrated, not started (seed accounts first, then `console.start()`). */
export async function consoleProcess(name: string, run: string, env: Record<string, string> = {}): Promise<ConsoleUnderTest> {
  const db = await createTestDatabase('console');
  const { brokers } = await getTestKafka();
  const group = `console-${name}-${run}`;
  const process_ = new ServiceProcess(
    'console',
    await freePort(),
    {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CONSUMER_GROUP: group,
      AUTH_DEV_TOKEN_KEY: `console-${name}-${run}-dev-key-long-enough`,
      LOG_LEVEL: 'debug',
      ...env,
    },
    join(REPO_ROOT, 'test-artifacts', `console-${name}`),
  );
  process_.migrate();
  return { db, console: process_, brokers, group };
}

/** The accounts command (`dist/src/accounts.js`): a local account with this password. */
export function seedAccount(
  databaseUrl: string,
  account: { username: string; subject: string; roles: string[]; tenantId: string; propertyIds: string[] },
  password: string,
): void {
  const seeded = spawnSync(process.execPath, [join(REPO_ROOT, 'services/console/dist/src/accounts.js'), JSON.stringify(account)], {
    input: password,
    env: { ...processEnvironment(), DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (seeded.status !== 0) throw new Error(`accounts command failed: ${seeded.stderr}`);
}

/** A password sign-in: the status and the session cookie (`name=value`, '' when none). */
export async function passwordSignIn(baseUrl: string, username: string, password: string): Promise<{ status: number; cookie: string }> {
  const response = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return { status: response.status, cookie: response.headers.getSetCookie()[0]?.split(';')[0] ?? '' };
}
