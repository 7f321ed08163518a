import { timestampDate } from '@bufbuild/protobuf/wkt';
import { common, VAULT_DOCUMENT_TOPIC } from '@portico/contracts';
import { hashSecret, looksLikeSecret } from '../shared/secret-token';
import { aCase, aRequest, DAY, HOUR, T0, vaultFakes } from '../test-support/vault-fakes';
import { CaseClosedError, CaseNotKnownYetError, UploadRequestNotFoundError } from './upload-request-errors';
import { UploadRequestsService } from './upload-requests.service';

const BASE_URL = 'https://vault.example.test';
const TTL_MINUTES = 72 * 60;

function setup() {
  const f = vaultFakes();
  const service = new UploadRequestsService(
    f.uow,
    f.cases,
    f.requests,
    f.outbox.writer,
    f.audit,
    { publicBaseUrl: BASE_URL, ttlMinutes: TTL_MINUTES },
    f.clock.fn,
    f.ids,
    f.logger,
  );
  const tokenOf = (url: string) => url.slice(`${BASE_URL}/u/`.length);
  return { ...f, service, tokenOf };
}

const create = (over: Partial<Parameters<UploadRequestsService['create']>[0]> = {}) => ({
  caseId: 'cc_1',
  language: 'zh' as const,
  requestedBy: 'notification',
  ...over,
});

describe('UploadRequestsService.create', () => {
  it('answers 409 case_not_known_yet with a retry hint for a case the vault has not seen, writing nothing', async () => {
    const t = setup();
    const err = await t.service.create(create({ caseId: 'cc_unknown' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaseNotKnownYetError);
    expect(err).toMatchObject({
      status: 409,
      code: 'case_not_known_yet',
      details: { caseId: 'cc_unknown', retryAfterSeconds: 5 },
    });
    expect(t.requests.values()).toHaveLength(0);
    expect(t.outbox.written).toHaveLength(0);
    expect(t.audit.entries).toHaveLength(0);
  });

  it('refuses a closed case with CaseClosedError', async () => {
    const t = setup();
    t.cases.add(aCase({ state: 'closed', closedAt: T0 }));
    await expect(t.service.create(create())).rejects.toBeInstanceOf(CaseClosedError);
    await expect(t.service.create(create())).rejects.toMatchObject({ status: 409, code: 'case_closed' });
    expect(t.requests.values()).toHaveLength(0);
  });

  it('issues an open request for the case with its required documents, and a URL carrying the token', async () => {
    const t = setup();
    t.cases.add(aCase({ requiredDocuments: ['passport'] }));
    const link = await t.service.create(create({ language: 'en' }));

    expect(link.uploadUrl.startsWith(`${BASE_URL}/u/`)).toBe(true);
    const token = t.tokenOf(link.uploadUrl);
    expect(looksLikeSecret(token)).toBe(true);
    expect(link.replacesRequestId).toBeNull();
    const stored = t.requests.rows.get(link.requestId)!;
    expect(stored.request).toMatchObject({
      caseId: 'cc_1',
      tenantId: 'ten_1',
      propertyId: 'prop_1',
      parcelId: 'prc_1',
      status: 'open',
      language: 'en',
      requiredDocuments: ['passport'],
      attempts: 0,
      createdAt: T0,
    });
    expect(stored.requestedBy).toBe('notification');
    expect(stored.idempotencyKey).toBeNull();
  });

  it('asks for the documents the caller names instead of the case’s requirement', async () => {
    const t = setup();
    t.cases.add(aCase({ requiredDocuments: ['resident_id_card'] }));
    const link = await t.service.create(create({ documents: ['duty_payment_proof'] }));
    expect(t.requests.get(link.requestId).requiredDocuments).toEqual(['duty_payment_proof']);
    expect(t.outbox.only('uploadRequested').requiredDocuments).toEqual([
      common.DocumentType.DUTY_PAYMENT_PROOF,
    ]);
  });

  it('stores only the SHA-256 of the token, never the token itself', async () => {
    const t = setup();
    t.cases.add(aCase());
    const link = await t.service.create(create());
    const token = t.tokenOf(link.uploadUrl);
    const stored = t.requests.rows.get(link.requestId)!;
    expect(stored.tokenHash.equals(hashSecret(token))).toBe(true);
    expect(stored.tokenHash.toString('utf8')).not.toContain(token);
    expect(JSON.stringify([...t.requests.rows.values()])).not.toContain(token);
  });

  it('expires the link after the ttl when the case deadline is later', async () => {
    const t = setup();
    t.cases.add(aCase({ deadline: new Date(T0.getTime() + 10 * DAY) }));
    const link = await t.service.create(create());
    const byTtl = new Date(T0.getTime() + TTL_MINUTES * 60_000);
    expect(link.expiresAt).toEqual(byTtl);
    expect(t.requests.get(link.requestId).expiresAt).toEqual(byTtl);
    expect(timestampDate(t.outbox.only('uploadRequested').expiresAt!)).toEqual(byTtl);
  });

  it('expires the link at the case deadline when that comes first', async () => {
    const t = setup();
    const deadline = new Date(T0.getTime() + 5 * HOUR);
    t.cases.add(aCase({ deadline }));
    const link = await t.service.create(create());
    expect(link.expiresAt).toEqual(deadline);
    expect(t.requests.get(link.requestId).expiresAt).toEqual(deadline);
  });

  it('publishes UploadRequested keyed by parcel, with ids only', async () => {
    const t = setup();
    t.cases.add(aCase());
    const link = await t.service.create(create());
    expect(t.outbox.written).toHaveLength(1);
    const written = t.outbox.written[0]!;
    expect(written).toMatchObject({ topic: VAULT_DOCUMENT_TOPIC.name, key: 'prc_1', tenantId: 'ten_1' });
    const e = t.outbox.only('uploadRequested');
    expect(e).toMatchObject({
      caseId: 'cc_1',
      tenantId: 'ten_1',
      requestId: link.requestId,
      replacesRequestId: '',
    });
    expect(e.parcel).toMatchObject({
      parcelId: 'prc_1',
      carrierCode: 'sf-express',
      trackingNumber: 'SF1234567890',
    });
    expect(t.outbox.wireText()).toContain(link.requestId);
    expect(t.outbox.wireText()).not.toContain(t.tokenOf(link.uploadUrl));
  });

  it('supersedes the open link of the case: the old one stops, the new one says what it replaces', async () => {
    const t = setup();
    t.cases.add(aCase());
    t.requests.add(aRequest({ id: 'ur_old' }), hashSecret('old-token'));

    const link = await t.service.create(create());

    expect(t.requests.get('ur_old').status).toBe('superseded');
    expect(t.requests.get(link.requestId)).toMatchObject({ status: 'open', replacesRequestId: 'ur_old' });
    expect(link.replacesRequestId).toBe('ur_old');
    expect(t.outbox.only('uploadRequested').replacesRequestId).toBe('ur_old');
    expect(t.audit.entries[0]!.details).toMatchObject({ replaces: 'ur_old' });
  });

  it('leaves other cases’ links alone when superseding', async () => {
    const t = setup();
    t.cases.add(aCase());
    t.requests.add(aRequest({ id: 'ur_other', caseId: 'cc_2' }), hashSecret('other'));
    await t.service.create(create());
    expect(t.requests.get('ur_other').status).toBe('open');
  });

  it('answers a retried idempotency key with the same request and a fresh token, publishing nothing new', async () => {
    const t = setup();
    t.cases.add(aCase());
    const first = await t.service.create(create({ idempotencyKey: 'task-1:round-1' }));
    const hashAfterFirst = t.requests.rows.get(first.requestId)!.tokenHash;
    t.clock.advance(HOUR);

    const retried = await t.service.create(create({ idempotencyKey: 'task-1:round-1' }));

    expect(retried.requestId).toBe(first.requestId);
    expect(t.tokenOf(retried.uploadUrl)).not.toBe(t.tokenOf(first.uploadUrl));
    const stored = t.requests.rows.get(first.requestId)!;
    expect(stored.tokenHash.equals(hashSecret(t.tokenOf(retried.uploadUrl)))).toBe(true);
    expect(stored.tokenHash.equals(hashAfterFirst)).toBe(false);
    // The new expiry counts from the retry.
    expect(retried.expiresAt).toEqual(new Date(T0.getTime() + HOUR + TTL_MINUTES * 60_000));
    expect(stored.request.expiresAt).toEqual(retried.expiresAt);
    expect(t.requests.values()).toHaveLength(1);
    expect(t.outbox.kinds()).toEqual(['uploadRequested']);
    expect(t.audit.actions()).toEqual(['upload_request.created']);
  });

  it('does not rotate a retried request that is no longer open', async () => {
    const t = setup();
    t.cases.add(aCase());
    const first = await t.service.create(create({ idempotencyKey: 'k1' }));
    await t.requests.setStatus(t.db.manager(true), first.requestId, 'submitted');
    const hash = t.requests.rows.get(first.requestId)!.tokenHash;

    await expect(t.service.create(create({ idempotencyKey: 'k1' }))).rejects.toMatchObject({
      code: 'upload_request_closed',
      status: 409,
      details: { requestId: first.requestId, status: 'submitted' },
    });
    expect(t.requests.rows.get(first.requestId)!.tokenHash.equals(hash)).toBe(true);
    expect(t.requests.values()).toHaveLength(1);
  });

  it('audits the creation with ids and the expiry only, in the same transaction as the event', async () => {
    const t = setup();
    t.cases.add(aCase());
    const link = await t.service.create(create({ requestedBy: 'notification' }));
    expect(t.audit.entries).toHaveLength(1);
    const entry = t.audit.entries[0]!;
    expect(entry).toMatchObject({
      actor: { kind: 'service', id: 'notification' },
      action: 'upload_request.created',
      subject: { type: 'upload_request', id: link.requestId },
      caseId: 'cc_1',
      tenantId: 'ten_1',
      details: { replaces: null, expiresAt: link.expiresAt.toISOString() },
    });
    expect(Object.keys(entry.details!).sort()).toEqual(['expiresAt', 'replaces']);
    expect(JSON.stringify(entry)).not.toContain(t.tokenOf(link.uploadUrl));
    expect(entry.tx).toBe(t.outbox.written[0]!.tx);
  });

  it('never logs the token', async () => {
    const t = setup();
    t.cases.add(aCase());
    const link = await t.service.create(create());
    expect(t.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(t.lines)).not.toContain(t.tokenOf(link.uploadUrl));
  });
});

describe('UploadRequestsService.revoke', () => {
  it('revokes an open link and audits who did it', async () => {
    const t = setup();
    t.requests.add(aRequest(), hashSecret('x'));
    await t.service.revoke('ur_1', 'notification');
    expect(t.requests.get('ur_1').status).toBe('revoked');
    expect(t.audit.entries).toEqual([
      expect.objectContaining({
        actor: { kind: 'service', id: 'notification' },
        action: 'upload_request.revoked',
        subject: { type: 'upload_request', id: 'ur_1' },
      }),
    ]);
  });

  it('is a no-op on a link that is no longer open', async () => {
    const t = setup();
    t.requests.add(aRequest({ status: 'submitted' }), hashSecret('x'));
    await t.service.revoke('ur_1', 'notification');
    expect(t.requests.get('ur_1').status).toBe('submitted');
    expect(t.audit.entries).toHaveLength(0);
  });

  it('answers 404 for an unknown request', async () => {
    const t = setup();
    await expect(t.service.revoke('ur_nope', 'notification')).rejects.toBeInstanceOf(
      UploadRequestNotFoundError,
    );
  });
});
