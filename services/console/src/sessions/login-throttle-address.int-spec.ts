// Sign-in throttling per client address over HTTP, against the console as a process from its
// build (real Postgres and broker), behind a "proxy": the test client connects from 127.0.0.1,
// which CONSOLE_TRUSTED_PROXIES trusts, and says whom it forwards for in X-Forwarded-For.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDatabase } from '@portico/testing';
import { REPO_ROOT, type ServiceProcess } from '@portico/testing/platform';
import { consoleProcess } from '../test-support/console-process';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'console-throttle-address');
const run = randomBytes(4).toString('hex');
const GUESSER = '198.51.100.7';
const NEIGHBOUR = '198.51.100.8';

describe('sign-in throttling per client address (console process, trusted proxy)', () => {
  let db: TestDatabase;
  let console_: ServiceProcess;

  const attempt = (forwardedFor: string, username: string) =>
    fetch(`${console_.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ username, password: 'not the password' }),
    });

  beforeAll(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true }); // the log is appended to: check this run's only
    ({ db, console: console_ } = await consoleProcess('throttle-address', run, { CONSOLE_TRUSTED_PROXIES: '127.0.0.1,::1' }));
    await console_.start();
  });

  afterAll(async () => {
    await console_?.stop();
    await db?.drop();
  });

  it('holds an address back after 30 failures over many names; a neighbour and a spoofed left entry do not change that', async () => {
    for (let i = 0; i < 30; i++) expect((await attempt(GUESSER, `name-${run}-${i}`)).status).toBe(401);
    const held = await attempt(GUESSER, `name-${run}-new`);
    expect(held.status).toBe(429);
    expect(held.headers.get('retry-after')).toBe('10');
    const body = (await held.json()) as { error: { code: string; message: { en: string; zh: string } } };
    expect(body.error.code).toBe('login_throttled');
    expect(body.error.message.zh).toMatch(/10 秒/);
    expect(held.headers.getSetCookie()).toEqual([]);
    // a client writing its own header: the proxy appended the real address on the right
    expect((await attempt(`203.0.113.50, ${GUESSER}`, `name-${run}-spoof`)).status).toBe(429);
    // another address behind the same proxy is not held back
    expect((await attempt(NEIGHBOUR, `name-${run}-n`)).status).toBe(401);
  });

  it('keeps the addresses out of the log (the throttle line says which counter, not whose)', () => {
    const log = readFileSync(console_.logFile, 'utf8');
    expect(log).toContain('"scope":"address"');
    for (const address of [GUESSER, NEIGHBOUR, '203.0.113.50']) expect(log).not.toContain(address);
  });
});
