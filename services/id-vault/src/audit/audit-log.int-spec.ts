import { createMigratedTestDatabase, type MigratedTestDatabase } from '@portico/testing';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AuditLog1796000000002 } from '../../migrations/1796000000002-audit-log';
import { auditEntryHash } from './audit-chain';
import type { AuditEntryInput } from './audit-entry';
import { signAuditHead } from './audit-head';
import { AuditHeadSigner, JsonLinesAuditHeadSink } from './audit-head-signer';
import { AuditLog, readAuditHead, toAuditRecord, type AuditRow } from './audit-log';
import { createAuditMetrics, type AuditMetrics } from './audit-metrics';
import { verifyAuditLog, type AuditVerificationReport } from './audit-verifier';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const REPO = resolve(__dirname, '../../../..');

describe('id-vault audit log (real Postgres)', () => {
  let db: MigratedTestDatabase;
  let dataSource: DataSource;
  let registry: Registry;
  let metrics: AuditMetrics;
  let audit: AuditLog;
  let exportDir: string;
  let sink: JsonLinesAuditHeadSink;
  let clock: number;
  const keys = generateKeyPairSync('ed25519');

  beforeAll(async () => {
    db = await createMigratedTestDatabase('vault_audit', [AuditLog1796000000002]);
    dataSource = db.dataSource;
  });
  afterAll(() => db?.drop());

  beforeEach(async () => {
    // A fresh log per test. TRUNCATE is refused by the trigger, so, like an attacker, the test
    // disables it first (the test connects as the superuser).
    await dataSource.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await dataSource.query('TRUNCATE audit_log');
    await dataSource.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    registry = new Registry();
    metrics = createAuditMetrics(registry);
    clock = T0;
    audit = new AuditLog({ metrics, now: () => new Date((clock += 1_000)) });
    exportDir = mkdtempSync(join(tmpdir(), 'vault-audit-'));
    sink = new JsonLinesAuditHeadSink(exportDir);
  });
  afterEach(() => rmSync(exportDir, { recursive: true, force: true }));

  const entry = (i: number, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
    actor: { kind: i % 2 ? 'carrier' : 'user', id: i % 2 ? 'carrier_sf' : 'usr_reviewer_1' },
    action: (['create', 'view', 'approve', 'relay', 'download', 'purge'] as const)[i % 6],
    purpose: 'customs_clearance',
    subject: { type: 'document', id: `doc_${i}` },
    caseId: `case_${i % 3}`,
    tenantId: 'tenant_a',
    details: { verdict: 'ok', reasons: ['checksum_ok'], attempt: i, checks: { sharpness: 'pass' } },
    ...overrides,
  });

  async function appendMany(n: number): Promise<void> {
    for (let i = 1; i <= n; i++) await dataSource.transaction((m) => audit.append(m, entry(i)));
  }

  const verify = (
    options: { batchSize?: number; withExport?: boolean } = {},
  ): Promise<AuditVerificationReport> =>
    verifyAuditLog({
      dataSource,
      heads: options.withExport === false ? undefined : sink,
      publicKeys: [keys.publicKey],
      batchSize: options.batchSize ?? 7,
      metrics,
    });

  const signer = () =>
    new AuditHeadSigner({
      db: dataSource,
      privateKey: keys.privateKey,
      sink,
      metrics,
      now: () => new Date(clock),
    });

  /** What an attacker with superuser access does: disable the trigger, change rows, enable it again. */
  async function tamper(...statements: [string, unknown[]?][]): Promise<void> {
    await dataSource.transaction(async (m) => {
      await m.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      for (const [sql, params] of statements) await m.query(sql, params);
      await m.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    });
  }

  /** The careful attacker: rewrite rows from `fromSeq` on with recomputed hashes, so the chain is self-consistent. */
  async function rehashFrom(fromSeq: number): Promise<void> {
    const rows: AuditRow[] = await dataSource.query('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq', [
      fromSeq,
    ]);
    const prev: { hash: Buffer }[] = await dataSource.query('SELECT hash FROM audit_log WHERE seq = $1', [
      fromSeq - 1,
    ]);
    let prevHash = prev[0]?.hash ?? Buffer.alloc(32);
    const updates: [string, unknown[]][] = [];
    for (const row of rows) {
      const record = toAuditRecord(row);
      const hash = auditEntryHash(prevHash, record);
      updates.push([
        'UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE seq = $1',
        [record.seq, prevHash, hash],
      ]);
      prevHash = hash;
    }
    await tamper(...updates);
  }

  const failures = async () =>
    (await registry.getSingleMetricAsString('portico_vault_audit_chain_verifications_total'))
      .trim()
      .split('\n')
      .find((line) => line.includes('outcome="failed"'));

  describe('append', () => {
    it('appends a verifiable chain, streamed in batches; counts entries by action', async () => {
      await appendMany(30);
      const report = await verify({ withExport: false });
      expect(report).toMatchObject({ ok: true, entriesChecked: 30, problems: [] });
      expect(report.head?.seq).toBe(30);
      expect(report.warnings[0]).toMatch(/no signed-head export/);
      const rows = await dataSource.query(`SELECT seq, occurred_at, details FROM audit_log WHERE seq = 3`);
      expect(rows[0]).toMatchObject({ seq: '3', details: { verdict: 'ok', attempt: 3 } });
      expect(new Date(rows[0].occurred_at).toISOString()).toBe('2026-12-01T10:00:03.000Z');
      const counts = await registry.getSingleMetricAsString('portico_vault_audit_entries_total');
      expect(counts).toContain('portico_vault_audit_entries_total{action="approve"} 5');
      expect(counts).toContain('portico_vault_audit_entries_total{action="key_rotation"} 0');
    });

    it('commits and rolls back with the caller’s transaction, and refuses to run outside one', async () => {
      await expect(
        dataSource.transaction(async (m) => {
          await audit.append(m, entry(1));
          throw new Error('the audited action failed');
        }),
      ).rejects.toThrow('the audited action failed');
      expect(await readAuditHead(dataSource)).toBeUndefined();
      await expect(audit.append(dataSource.manager, entry(1))).rejects.toThrow(/inside the transaction/);
      await dataSource.transaction((m) => audit.append(m, entry(2)));
      expect((await readAuditHead(dataSource))?.seq).toBe(1);
    });

    it('refuses personal data before touching the database', async () => {
      await expect(
        dataSource.transaction((m) => audit.append(m, entry(1, { details: { ref: '11010519491231002X' } }))),
      ).rejects.toThrow(/looks like an ID number/);
      expect(await readAuditHead(dataSource)).toBeUndefined();
    });

    it('serialises concurrent appends: 20 parallel transactions, some rolled back, no gaps, chain verifies', async () => {
      await appendMany(2);
      const jitter = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15)));
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          dataSource.transaction(async (m) => {
            await jitter();
            await m.query('SELECT 1'); // work of the audited action before its audit row
            const record = await audit.append(m, entry(100 + i));
            await jitter(); // holding the lock while the action finishes
            if (i % 4 === 3) throw new Error('rolled back');
            return record.seq;
          }),
        ),
      );
      const committed = results.filter((r) => r.status === 'fulfilled');
      expect(committed).toHaveLength(15);
      const seqs: { seq: string }[] = await dataSource.query('SELECT seq FROM audit_log ORDER BY seq');
      expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
      const report = await verify({ batchSize: 4 });
      expect(report).toMatchObject({ ok: true, entriesChecked: 17 });
    });
  });

  describe('append-only in the database', () => {
    it('refuses UPDATE, DELETE and TRUNCATE, even to the superuser, while the trigger is enabled', async () => {
      await appendMany(3);
      await expect(
        dataSource.query(`UPDATE audit_log SET details = '{}' WHERE seq = 2`),
      ).rejects.toMatchObject({
        code: '42501',
        message: 'audit_log is append-only: UPDATE refused',
      });
      await expect(dataSource.query('DELETE FROM audit_log WHERE seq = 3')).rejects.toThrow(
        'audit_log is append-only: DELETE refused',
      );
      await expect(dataSource.query('TRUNCATE audit_log')).rejects.toThrow(
        'audit_log is append-only: TRUNCATE refused',
      );
      expect((await verify()).ok).toBe(true);
      expect((await readAuditHead(dataSource))?.seq).toBe(3);
    });
  });

  describe('signed heads', () => {
    it('signs only when the head moved, and the verifier checks every signed head', async () => {
      const s = signer();
      expect(await s.signIfMoved()).toEqual({ outcome: 'empty' });
      await appendMany(5);
      expect(await s.signIfMoved()).toMatchObject({ outcome: 'signed', head: { seq: 5 } });
      expect(await s.signIfMoved()).toMatchObject({ outcome: 'unchanged', head: { seq: 5 } });
      await dataSource.transaction((m) => audit.append(m, entry(6, { action: 'key_rotation' })));
      expect(await s.signIfMoved()).toMatchObject({ outcome: 'signed', head: { seq: 6 } });
      // a new signer (a restart) picks up the last head from the export
      expect(await signer().signIfMoved()).toMatchObject({ outcome: 'unchanged', head: { seq: 6 } });
      expect(readFileSync(sink.path, 'utf8').trim().split('\n')).toHaveLength(2);
      const report = await verify();
      expect(report).toMatchObject({ ok: true, signedHeads: { valid: 2, latest: { seq: 6 } }, warnings: [] });
    });
  });

  describe('tampering', () => {
    it('detects an edited row (hash mismatch at its seq), and counts the failure', async () => {
      await appendMany(12);
      await tamper([
        `UPDATE audit_log SET details = jsonb_set(details, '{verdict}', '"rejected"') WHERE seq = 5`,
      ]);
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.problems[0]).toMatchObject({ reason: 'hash_mismatch', seq: 5 });
      expect(report.entriesChecked).toBe(4);
      expect(await failures()).toBe('portico_vault_audit_chain_verifications_total{outcome="failed"} 1');
    });

    it('detects an edited and re-hashed row at the next link (prev_hash mismatch)', async () => {
      await appendMany(12);
      await tamper([`UPDATE audit_log SET actor_id = 'usr_other' WHERE seq = 5`]);
      const [row]: AuditRow[] = await dataSource.query('SELECT * FROM audit_log WHERE seq = 5');
      const record = toAuditRecord(row);
      await tamper([
        'UPDATE audit_log SET hash = $1 WHERE seq = 5',
        [auditEntryHash(record.prevHash, record)],
      ]);
      expect((await verify()).problems[0]).toMatchObject({ reason: 'prev_hash_mismatch', seq: 6 });
    });

    it('detects a deleted middle row (seq gap)', async () => {
      await appendMany(12);
      await tamper(['DELETE FROM audit_log WHERE seq = 7']);
      const report = await verify();
      expect(report.problems).toEqual([expect.objectContaining({ reason: 'seq_gap', seq: 7 })]);
      expect(report.problems[0].message).toBe('seq 7 is missing: rows were deleted');
    });

    it('detects a deleted and renumbered middle row (the link breaks)', async () => {
      await appendMany(12);
      await tamper(
        ['DELETE FROM audit_log WHERE seq = 7'],
        ['UPDATE audit_log SET seq = seq - 1 WHERE seq > 7'],
      );
      expect((await verify()).problems[0]).toMatchObject({ reason: 'prev_hash_mismatch', seq: 7 });
    });

    it('detects tail rows deleted after a signed head (truncated tail)', async () => {
      await appendMany(10);
      expect(await signer().signIfMoved()).toMatchObject({ outcome: 'signed', head: { seq: 10 } });
      await tamper(['DELETE FROM audit_log WHERE seq >= 8']);
      const report = await verify();
      expect(report.problems).toEqual([expect.objectContaining({ reason: 'truncated_tail', seq: 8 })]);
      expect(report.problems[0].message).toMatch(
        /seq 10 was signed at .* but the log ends at seq 7: seqs 8..10 were deleted/,
      );
      // without the export the self-consistent remainder looks intact: the reason heads are exported
      expect((await verify({ withExport: false })).ok).toBe(true);
      // and the signer refuses to sign the shortened log
      expect(await signer().signIfMoved()).toMatchObject({
        outcome: 'refused',
        problem: { reason: 'truncated_tail' },
      });
    });

    it('detects a chain rewritten behind a signed head, and the signer refuses to vouch for it', async () => {
      await appendMany(10);
      const s = signer();
      await s.signIfMoved();
      await tamper([`UPDATE audit_log SET purpose = 'document_review' WHERE seq = 3`]);
      await rehashFrom(3);
      expect((await verify({ withExport: false })).ok).toBe(true); // self-consistent…
      const report = await verify();
      expect(report.problems[0]).toMatchObject({ reason: 'signed_head_mismatch', seq: 10 }); // …but not with the export
      await dataSource.transaction((m) => audit.append(m, entry(11)));
      expect(await s.signIfMoved()).toMatchObject({
        outcome: 'refused',
        problem: { reason: 'signed_head_mismatch', seq: 10 },
      });
      expect(readFileSync(sink.path, 'utf8').trim().split('\n')).toHaveLength(1);
    });

    it('detects a forged head (bad signature, other key, changed line) and a malformed line', async () => {
      await appendMany(4);
      await signer().signIfMoved();
      const intruder = generateKeyPairSync('ed25519');
      const genuine = JSON.parse(readFileSync(sink.path, 'utf8').trim());
      appendFileSync(
        sink.path,
        `${JSON.stringify(signAuditHead({ seq: 9, hash: Buffer.alloc(32, 9) }, intruder.privateKey, new Date()))}\n`,
      );
      appendFileSync(sink.path, `${JSON.stringify({ ...genuine, seq: 3 })}\n`);
      appendFileSync(sink.path, 'garbage\n');
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([
        expect.objectContaining({ reason: 'forged_head', seq: 9, line: 2 }),
        expect.objectContaining({ reason: 'forged_head', seq: 3, line: 3 }),
        expect.objectContaining({ reason: 'malformed_head', line: 4 }),
      ]);
      expect(report.signedHeads).toMatchObject({ valid: 1, latest: { seq: 4 } });
    });
  });

  describe('verify-audit command', () => {
    function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      return new Promise((done) => {
        execFile(
          process.execPath,
          [
            '-r',
            join(REPO, 'libs/messaging/src/test-support/ts-require-hook.js'),
            join(REPO, 'services/id-vault/src/verify-audit.ts'),
            ...args,
          ],
          { env: { PATH: process.env.PATH, DATABASE_URL: db.url, LOG_LEVEL: 'silent' }, timeout: 60_000 },
          (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    }

    it('exits 0 when intact and 1 with the first bad seq and why when not', async () => {
      await appendMany(6);
      await signer().signIfMoved();
      const publicKeyFile = join(exportDir, 'audit-public.pem');
      writeFileSync(publicKeyFile, keys.publicKey.export({ format: 'pem', type: 'spki' }));
      const args = ['--export-dir', exportDir, '--public-key', publicKeyFile, '--batch-size', '2'];

      const intact = await run(args);
      expect(intact).toMatchObject({ code: 0, stderr: '' });
      expect(intact.stdout).toMatch(
        /^audit log intact: 6 entries verified, head seq 6 hash [0-9a-f]{64}; 1 signed head\(s\) valid, latest seq 6/,
      );

      await tamper(['DELETE FROM audit_log WHERE seq = 6']);
      const truncated = await run(args);
      expect(truncated.code).toBe(1);
      expect(truncated.stderr).toMatch(/^audit log NOT intact: truncated_tail at seq 6\n/);

      await tamper([`UPDATE audit_log SET details = '{}' WHERE seq = 2`]);
      const edited = await run(args);
      expect(edited.code).toBe(1);
      expect(edited.stderr).toMatch(
        /^audit log NOT intact: hash_mismatch at seq 2\n  - hash_mismatch: seq 2: stored hash/,
      );

      expect((await run(['--bogus'])).code).toBe(2);
    });
  });
});
