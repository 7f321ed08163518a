// The upload's combined statements against real Postgres, where what they promise depends on
// Postgres itself: the claim waits for a concurrent holder of the link's lock and then sees its
// committed row, and the document insert reads the consent after that wait, so a withdrawal that
// committed meanwhile leaves nothing inserted (READ COMMITTED: a fresh snapshot per statement).
import { randomBytes } from 'node:crypto';
import { migrations } from '../../migrations';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@portico/testing';
import type { VaultDocument } from '../documents/vault-document';
import { aDocument } from '../test-support/vault-fakes';
import { UploadSubmissionRepository } from './upload-submission.repository';

const T0 = new Date('2026-12-03T10:00:00Z');

describe('UploadSubmissionRepository (real Postgres)', () => {
  let db: MigratedTestDatabase;
  const repo = new UploadSubmissionRepository();
  const sql = (text: string, params: unknown[] = []) => db.dataSource.query(text, params);

  beforeAll(async () => {
    db = await createMigratedTestDatabase('vault_submission_int', [...migrations], { poolSize: 6 });
  });
  afterAll(() => db?.drop());

  async function seed(): Promise<{ caseId: string; requestId: string; tokenHash: Buffer }> {
    const run = randomBytes(6).toString('hex');
    const caseId = `cc_${run}`;
    const requestId = `ur_${run}`;
    const tokenHash = randomBytes(32);
    await sql(
      `INSERT INTO vault_cases (case_id, tenant_id, parcel_id, carrier_code, tracking_number, required_documents)
       VALUES ($1, 'ten_1', 'par_1', 'sf-express', 'SF1', '{resident_id_card}')`,
      [caseId],
    );
    await sql(
      `INSERT INTO upload_requests (id, case_id, tenant_id, parcel_id, required_documents, language, token_hash,
                                    status, expires_at, requested_by, created_at)
       VALUES ($1, $2, 'ten_1', 'par_1', '{resident_id_card}', 'zh', $3, 'open', $4, 'notification', $5)`,
      [requestId, caseId, tokenHash, new Date(T0.getTime() + 3_600_000), T0],
    );
    await sql(
      `INSERT INTO consents (id, request_id, text_version, purpose, recipient, retention_days, language, given_at)
       VALUES ($1, $2, 'v1', 'customs_clearance', 'sf-express', 7, 'zh', $3)`,
      [`cst_${run}`, requestId, T0],
    );
    return { caseId, requestId, tokenHash };
  }

  const draft = (caseId: string, requestId: string): Omit<VaultDocument, 'consentId'> => {
    const { consentId: _none, ...d } = aDocument({
      id: `doc_${randomBytes(6).toString('hex')}`,
      requestId,
      caseId,
      parcelId: 'par_1',
      status: 'submitted',
      submittedAt: T0,
    });
    return d;
  };

  it('resolves link, case and active consent in one statement, and misses junk', async () => {
    const { caseId, requestId, tokenHash } = await seed();
    const found = await repo.resolve(db.dataSource.manager, tokenHash);
    expect(found?.request).toMatchObject({ id: requestId, caseId, status: 'open', attempts: 0 });
    expect(found?.vaultCase).toMatchObject({ caseId, carrierCode: 'sf-express', state: 'open' });
    expect(found?.consent).toMatchObject({ requestId, textVersion: 'v1', withdrawnAt: null });
    expect(await repo.resolve(db.dataSource.manager, randomBytes(32))).toBeUndefined();
  });

  it('claims: the row as it was, the attempt counted, the status set only when asked', async () => {
    const { requestId } = await seed();
    const failed = await db.dataSource.transaction((m) => repo.claim(m, requestId, null));
    expect(failed).toMatchObject({ attempt: 1, request: { status: 'open', attempts: 0 } });
    const ok = await db.dataSource.transaction((m) => repo.claim(m, requestId, T0));
    expect(ok).toMatchObject({ attempt: 2, request: { status: 'open', attempts: 1 } });
    expect(
      (await sql(`SELECT status, attempts, closed_at FROM upload_requests WHERE id = $1`, [requestId]))[0],
    ).toEqual({
      status: 'submitted',
      attempts: 2,
      closed_at: T0,
    });
  });

  it('inserts nothing when a withdrawal commits while the upload waits for the link’s lock', async () => {
    const { caseId, requestId } = await seed();
    const withdrawer = db.dataSource.createQueryRunner();
    await withdrawer.connect();
    await withdrawer.startTransaction();
    // What withdraw() does: the link's row locked, then its consent withdrawn.
    await withdrawer.query(`SELECT * FROM upload_requests WHERE id = $1 FOR UPDATE`, [requestId]);
    await withdrawer.query(`UPDATE consents SET withdrawn_at = $2 WHERE request_id = $1`, [requestId, T0]);
    const upload = db.dataSource.transaction(async (m) => {
      const claimed = await repo.claim(m, requestId, T0); // waits for the withdrawer
      return { claimed, placed: await repo.insertUnderConsent(m, draft(caseId, requestId)) };
    });
    await new Promise((r) => setTimeout(r, 300));
    await withdrawer.commitTransaction();
    await withdrawer.release();
    const { claimed, placed } = await upload;
    expect(claimed?.attempt).toBe(1);
    expect(placed).toBeUndefined();
    expect(await sql(`SELECT 1 FROM documents WHERE request_id = $1`, [requestId])).toHaveLength(0);
  });

  it('inserts under the active consent and says whether rejected documents are superseded', async () => {
    const { caseId, requestId } = await seed();
    const first = await db.dataSource.transaction((m) =>
      repo.insertUnderConsent(m, draft(caseId, requestId)),
    );
    expect(first).toMatchObject({ consent: { requestId }, supersedesRejected: false });
    await sql(`UPDATE documents SET status = 'rejected' WHERE request_id = $1`, [requestId]);
    const second = await db.dataSource.transaction((m) =>
      repo.insertUnderConsent(m, {
        ...draft(caseId, requestId),
        submittedAt: new Date(T0.getTime() + 1_000),
      }),
    );
    expect(second?.supersedesRejected).toBe(true);
    const rows = await sql(`SELECT consent_id FROM documents WHERE request_id = $1`, [requestId]);
    expect(rows).toHaveLength(2);
    expect(rows.every((r: { consent_id: string }) => r.consent_id === first!.consent.id)).toBe(true);
  });
});
