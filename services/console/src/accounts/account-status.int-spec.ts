// The operators' account-status command against the console as a process from its build (real
// Postgres, real broker): disabling ends the account's sessions at once — API requests and the open
// live-update stream — and is audited; re-enabling lets the person sign in again, the old
// sessions stay ended. Bad input changes nothing.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDatabase } from '@portico/testing';
import { REPO_ROOT, type ServiceProcess } from '@portico/testing/platform';
import { Client } from 'pg';
import { consoleProcess, passwordSignIn, seedAccount } from '../test-support/console-process';
import { SseClient } from '../test-support/sse-client';

const run = randomBytes(4).toString('hex');
const PASSWORD = `correct horse ${run}`;
const USER = `li.na.${run}`;

describe('account-status command (console process, real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let console_: ServiceProcess;
  let pg: Client;

  const command = (...args: string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'services/console/dist/src/account-status.js'), ...args], {
      env: { ...process.env, DATABASE_URL: db.url },
      encoding: 'utf8',
    });

  const signIn = (username = USER) => passwordSignIn(console_.baseUrl, username, PASSWORD);
  const seed = (username: string) =>
    seedAccount(db.url, { username, subject: `stf_${username}`, roles: ['steward'], tenantId: `ten_${run}`, propertyIds: [`prop_${run}`] }, PASSWORD);
  const me = async (cookie: string) => (await fetch(`${console_.baseUrl}/api/me`, { headers: { cookie } })).status;
  const audit = async () =>
    (
      await pg.query(
        `SELECT action, reason, actor, sessions_ended FROM console_account_audit a JOIN console_accounts c ON c.id = a.account_id
          WHERE c.username = $1 ORDER BY at, a.id`,
        [USER],
      )
    ).rows;

  beforeAll(async () => {
    ({ db, console: console_ } = await consoleProcess('account-status', run));
    for (const username of [USER, `other.${run}`]) seed(username);
    await console_.start();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await console_?.stop();
    await db?.drop();
  });

  it('refuses bad input and unknown accounts, changing nothing', async () => {
    const { cookie } = await signIn();
    for (const args of [
      ['disable', USER, '--reason', 'because', '--actor', 'stf_ops_1'], // not a reason code
      ['disable', USER, '--reason', 'left_company', '--actor', 'wang.fang@corp.example'], // an e-mail as actor
      ['disable', USER, '--reason', 'left_company'], // no actor
      ['disable', USER, '--reason', 'left_company', '--actor', 'stf_ops_1', '--force', 'x'],
      ['remove', USER, '--reason', 'left_company', '--actor', 'stf_ops_1'],
    ]) {
      const r = command(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/usage: account-status\.js/);
    }
    const unknown = command('disable', `nobody.${run}`, '--reason', 'left_company', '--actor', 'stf_ops_1');
    expect(unknown.status).toBe(1);
    expect(await me(cookie)).toBe(200);
    await expect(audit()).resolves.toEqual([]);
  });

  it('disabling ends every session of the account at once, closes its live stream, and is audited', async () => {
    const first = await signIn();
    const second = await signIn();
    const other = await signIn(`other.${run}`);
    expect([first.status, second.status, other.status]).toEqual([201, 201, 201]);
    const stream = await SseClient.open(console_.baseUrl, first.cookie);
    await new Promise((r) => setTimeout(r, 200));

    const r = command('disable', USER, '--reason', 'left_company', '--actor', 'stf_ops_1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // the two above and the one of the first test
    expect(r.stdout).toMatch(/disabled, 3 session\(s\) ended \(audit aud_/);
    expect(await me(first.cookie)).toBe(401);
    expect(await me(second.cookie)).toBe(401);
    expect(await me(other.cookie)).toBe(200); // another account is untouched
    await stream.waitClosed();
    expect((await signIn()).status).toBe(401); // login_failed, as for any refused sign-in
    await expect(audit()).resolves.toEqual([{ action: 'disabled', reason: 'left_company', actor: 'stf_ops_1', sessions_ended: 3 }]);
    const { rows } = await pg.query(
      `SELECT count(*)::int AS live FROM console_sessions s JOIN console_accounts a ON a.id = s.account_id
        WHERE a.username = $1 AND s.revoked_at IS NULL`,
      [USER],
    );
    expect(rows[0].live).toBe(0);
    // the accounts command (demo seeding, mapping changes) does not quietly enable it again
    seed(USER);
    expect((await signIn()).status).toBe(401);
  });

  it('enabling lets the person sign in again (audited); the ended sessions stay ended', async () => {
    const before = await signIn();
    expect(before.status).toBe(401);
    const again = command('disable', USER, '--reason', 'left_company', '--actor', 'stf_ops_1');
    expect(again.stdout).toMatch(/was already disabled, 0 session\(s\) ended/);
    const r = command('enable', USER, '--reason', 'disabled_in_error', '--actor', 'OPS-1234');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/enabled \(audit aud_/);
    const after = await signIn();
    expect(after.status).toBe(201);
    expect(await me(after.cookie)).toBe(200);
    await expect(audit()).resolves.toEqual([
      { action: 'disabled', reason: 'left_company', actor: 'stf_ops_1', sessions_ended: 3 },
      { action: 'disabled', reason: 'left_company', actor: 'stf_ops_1', sessions_ended: 0 },
      { action: 'enabled', reason: 'disabled_in_error', actor: 'OPS-1234', sessions_ended: 0 },
    ]);
  });

  it('logs the ended streams with ids only, never the user name', () => {
    const log = readFileSync(console_.logFile, 'utf8');
    expect(log).toContain('account sessions ended');
    expect(log).not.toContain(USER);
    expect(log).not.toContain(PASSWORD);
  });
});
