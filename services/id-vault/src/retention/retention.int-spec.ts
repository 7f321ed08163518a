// Retention and re-upload against the real broker and Postgres: a steward's rejection brings the
// resident a fresh link whose page says why; the new upload purges the rejected one; the case's end
// (CaseCleared on clearance.case.v1) revokes links and brings every purge to 7 days after it; and a
// purge timer that comes due (time moved by setting its due_at) crypto-shreds the document. The
// audit chain verifies at the end.
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  clearance,
  ClearanceCaseEventSchema,
  notification,
  OutreachEventSchema,
  parcelRef,
  vault as contract,
} from '@portico/contracts';
import { cardPhoto } from '@portico/testing/images';
import { waitFor } from '@portico/testing';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { verifyAuditLog } from '../audit/audit-verifier';
import { startVault, tokenOf, type VaultHarness } from '../test-support/vault-harness';

const run = randomBytes(4).toString('hex');
const TENANT = `ten_ret_${run}`;
const PROPERTY = `prop_${run}`;
const DAY = 86_400_000;

describe('id-vault retention and re-upload (real Kafka + Postgres)', () => {
  let vault: VaultHarness;
  const parcel = parcelRef('sf-express', `SF${run.toUpperCase()}R1`);
  const caseId = `cc_ret_${run}`;
  const steward = () =>
    vault.personToken({
      subject: `stf_${run}`,
      roles: ['steward'],
      tenantId: TENANT,
      propertyIds: [PROPERTY],
    });
  const photos = async () => ({ front: await cardPhoto(), back: await cardPhoto({ angle: 3 }) });

  async function linkWithConsent(): Promise<string> {
    const res = await vault.requestLink(caseId);
    expect(res.status).toBe(201);
    const token = tokenOf(res.json.uploadUrl!);
    expect((await vault.consent(token)).status).toBe(201);
    return token;
  }

  const documentRow = async (id: string) =>
    (await vault.pg.query('SELECT status, purge_reason FROM documents WHERE id = $1', [id])).rows[0] as {
      status: string;
      purge_reason: string | null;
    };
  const liveKeys = async (id: string) =>
    (
      await vault.pg.query(
        'SELECT count(*)::int AS n FROM document_keys WHERE document_id = $1 AND wrapped_key IS NOT NULL',
        [id],
      )
    ).rows[0].n as number;
  const purgeDue = async (id: string) =>
    ((await vault.pg.query(`SELECT due_at FROM timers WHERE key = $1`, [`purge:${id}`])).rows[0]?.due_at ??
      null) as Date | null;

  beforeAll(async () => {
    vault = await startVault({ run });
    await vault.openCase({
      caseId,
      tenantId: TENANT,
      propertyId: PROPERTY,
      parcel,
      recipientName: '欧阳婉清',
      deadline: new Date(Date.now() + 3 * DAY),
    });
  }, 120_000);

  afterAll(() => vault?.stop(), 60_000);

  let rejectedId: string;
  let acceptedId: string;

  it('rejects with a reason that reaches the resident on the fresh link, and the new upload purges the old one', async () => {
    const first = await linkWithConsent();
    const uploaded = await vault.upload(first, await photos());
    expect(uploaded.status).toBe(201);
    rejectedId = uploaded.json.documentId;
    // Backstop purge at upload: the deadline plus 7 days.
    const backstop = await purgeDue(rejectedId);
    expect(backstop).not.toBeNull();

    const rejected = await vault.call(`/v1/documents/${rejectedId}/reject`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await steward()}` },
      body: { reason: 'unreadable' },
    });
    expect(rejected.status).toBe(201);
    expect(rejected.json.status).toBe('rejected');

    const second = await linkWithConsent();
    const page = await vault.call(`/u/${second}?lang=zh`);
    expect(page.text).toContain('照片看不清，请在光线充足处重新拍摄。');
    const again = await vault.upload(second, await photos());
    expect(again.status).toBe(201);
    acceptedId = again.json.documentId;
    expect(await documentRow(rejectedId)).toEqual({ status: 'purged', purge_reason: 'superseded' });
    expect(await liveKeys(rejectedId)).toBe(0);
    expect(await liveKeys(acceptedId)).toBe(1);
  }, 60_000);

  it('revokes open links and brings the purge to 7 days after the case cleared', async () => {
    const dangling = tokenOf((await vault.requestLink(caseId)).json.uploadUrl!);
    const clearedAt = new Date(Date.now() - 60_000);
    await vault.publishCaseEvent(
      create(ClearanceCaseEventSchema, {
        event: {
          case: 'caseCleared',
          value: create(clearance.CaseClearedSchema, {
            caseId,
            tenantId: TENANT,
            parcel,
            propertyId: PROPERTY,
            state: clearance.CaseState.CLEARED,
            occurredAt: timestampFromDate(clearedAt),
          }),
        },
      }),
      parcel.parcelId,
      TENANT,
    );
    await waitFor(
      async () =>
        (await vault.pg.query(`SELECT state FROM vault_cases WHERE case_id = $1`, [caseId])).rows[0]
          ?.state === 'closed',
      { timeoutMs: 30_000, description: 'the case closed in the vault' },
    );
    expect((await purgeDue(acceptedId))?.getTime()).toBe(clearedAt.getTime() + 7 * DAY);
    const gone = await vault.call(`/u/${dangling}/status`);
    expect(gone.json.link).toBe('revoked');
    expect((await vault.requestLink(caseId)).json).toMatchObject({ error: { code: 'case_closed' } });
  }, 60_000);

  it('crypto-shreds the document when its purge comes due, and says so on the topic', async () => {
    // Time moves on: the purge is due now.
    await vault.pg.query(`UPDATE timers SET due_at = now() WHERE key = $1`, [`purge:${acceptedId}`]);
    await waitFor(async () => (await documentRow(acceptedId)).status === 'purged', {
      timeoutMs: 20_000,
      description: 'the retention purge',
    });
    expect(await documentRow(acceptedId)).toEqual({ status: 'purged', purge_reason: 'retention_elapsed' });
    expect(await liveKeys(acceptedId)).toBe(0);
    expect((await vault.pg.query('SELECT count(*)::int AS n FROM vault_blobs')).rows[0].n).toBe(0);
    const events = await vault.eventsOf(parcel.parcelId, (e) =>
      e.some((x) => x.event.case === 'documentPurged' && x.event.value.documentId === acceptedId),
    );
    const purges = events
      .map((e) => e.event.event)
      .filter((e) => e.case === 'documentPurged')
      .map((e) => [e.value.documentId, e.value.reason]);
    expect(purges).toEqual([
      [rejectedId, contract.PurgeReason.SUPERSEDED],
      [acceptedId, contract.PurgeReason.RETENTION_ELAPSED],
    ]);
  }, 60_000);

  it("opens a case's documents to the property's stewards once notification resolves the recipient", async () => {
    const unresolved = parcelRef('sf-express', `SF${run.toUpperCase()}R2`);
    const unresolvedCase = `cc_ret2_${run}`;
    // clearance opens the case before the recipient is matched: no property yet
    await vault.openCase({
      caseId: unresolvedCase,
      tenantId: TENANT,
      propertyId: '',
      parcel: unresolved,
      recipientName: '欧阳婉清',
    });
    const list = () =>
      steward().then((token) =>
        vault.call(`/v1/cases/${unresolvedCase}/documents`, {
          headers: { authorization: `Bearer ${token}` },
        }),
      );
    expect((await list()).status).toBe(403);
    await vault.publishOutreachEvent(
      create(OutreachEventSchema, {
        event: {
          case: 'recipientResolved',
          value: create(notification.RecipientResolvedSchema, {
            tenantId: TENANT,
            parcel: unresolved,
            propertyId: PROPERTY,
            occurredAt: timestampFromDate(new Date()),
            unitId: `unit_${run}`,
            residentId: `res_${run}`,
          }),
        },
      }),
      unresolved.parcelId,
      TENANT,
    );
    await waitFor(async () => (await list()).status === 200, {
      timeoutMs: 30_000,
      description: 'the property reaches the vault',
    });
  }, 60_000);

  it('leaves an audit chain that verifies', async () => {
    const report = await verifyAuditLog({ dataSource: vault.service.app.get(DataSource) });
    expect(report.entriesChecked).toBeGreaterThan(5);
    expect(report.ok).toBe(true);
  });
});
