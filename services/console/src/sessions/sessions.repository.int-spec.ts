// Sliding renewal's SQL on real Postgres (the console's own migrations): the idle end moves
// forward, never past the absolute end, never backwards, and never for an ended session.
// The decisions on top are unit-tested (session-lifetime.spec.ts, sessions.service.spec.ts).
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@portico/testing';
import { migrations } from '../../migrations';
import { SessionsRepository } from './sessions.repository';

describe('SessionsRepository renewal (real Postgres)', () => {
  let db: MigratedTestDatabase;
  let repo: SessionsRepository;
  const t0 = new Date('2026-12-03T08:00:00Z');
  const at = (min: number) => new Date(t0.getTime() + min * 60_000);
  let n = 0;

  async function session(over: { expiresAt?: Date; maxExpiresAt?: Date | null } = {}): Promise<{ id: string; hash: Buffer }> {
    const id = `ses_${++n}`;
    const hash = Buffer.alloc(32, n);
    await db.dataSource.query(
      `INSERT INTO console_sessions (id, token_hash, account_id, csrf_token, created_at, expires_at, max_expires_at)
       VALUES ($1, $2, 'acc_r', 'c', $3, $4, $5)`,
      [id, hash, t0, over.expiresAt ?? at(30), over.maxExpiresAt === undefined ? at(600) : over.maxExpiresAt],
    );
    return { id, hash };
  }
  const expiry = async (id: string) =>
    new Date((await db.dataSource.query(`SELECT expires_at FROM console_sessions WHERE id = $1`, [id]))[0].expires_at);

  beforeAll(async () => {
    db = await createMigratedTestDatabase('console_sessions', migrations);
    repo = new SessionsRepository(db.dataSource);
    await db.dataSource.query(
      `INSERT INTO console_accounts (id, username, password_hash, subject, roles, tenant_id, property_ids)
       VALUES ('acc_r', 'steward.renew', 'x', 'stf_r', '{steward}', 'ten_r', '{prop_r}')`,
    );
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('moves the idle end forward and the read sees it, with the absolute end', async () => {
    const s = await session();
    await expect(repo.renew(s.id, at(80), at(20))).resolves.toBe(true);
    expect(await expiry(s.id)).toEqual(at(80));
    await expect(repo.findLive(s.hash, at(79))).resolves.toMatchObject({ expiresAt: at(80), maxExpiresAt: at(600) });
    await expect(repo.findLive(s.hash, at(80))).resolves.toBeNull();
  });

  it('never past the absolute end, never backwards (a slower request of the same burst)', async () => {
    const s = await session({ expiresAt: at(590) });
    await expect(repo.renew(s.id, at(640), at(580))).resolves.toBe(true);
    expect(await expiry(s.id)).toEqual(at(600));
    await expect(repo.renew(s.id, at(595), at(581))).resolves.toBe(true); // still live, not moved back
    expect(await expiry(s.id)).toEqual(at(600));
  });

  it('refuses to renew a revoked or expired session', async () => {
    const revoked = await session();
    await repo.revoke(revoked.id, at(1));
    await expect(repo.renew(revoked.id, at(70), at(10))).resolves.toBe(false);
    expect(await expiry(revoked.id)).toEqual(at(30));
    const expired = await session();
    await expect(repo.renew(expired.id, at(100), at(40))).resolves.toBe(false);
    expect(await expiry(expired.id)).toEqual(at(30));
  });

  it('reads a session of the previous version (no absolute end) with a null one', async () => {
    const old = await session({ maxExpiresAt: null });
    await expect(repo.findLive(old.hash, at(1))).resolves.toMatchObject({ maxExpiresAt: null, expiresAt: at(30) });
  });
});
