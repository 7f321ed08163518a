import { AuthError, type Principal } from '@portico/auth';
import { common } from '@portico/contracts';
import { RelayScheduler } from '../relay/relay-scheduler';
import { hashSecret, looksLikeSecret } from '../shared/secret-token';
import { aCase, aDocument, T0, vaultFakes } from '../test-support/vault-fakes';
import { DocumentAlreadyDecidedError, DocumentNotFoundError, ViewLinkInvalidError } from './review-errors';
import { REJECTION_REASONS } from './review-requests';
import { ReviewService, type ViewPart } from './review.service';

const VIEW_TTL_SECONDS = 300;

const steward = (over: Partial<Extract<Principal, { kind: 'person' }>> = {}): Principal => ({
  kind: 'person',
  subject: 'stf_1',
  roles: ['steward'],
  tenantId: 'ten_1',
  propertyIds: ['prop_1'],
  ...over,
});
const strangers: Array<[string, Principal]> = [
  ['a steward of another tenant', steward({ subject: 'stf_x', tenantId: 'ten_2' })],
  [
    'a steward of another property of the same tenant',
    steward({ subject: 'stf_y', propertyIds: ['prop_2'] }),
  ],
  [
    'a property system of another tenant',
    { kind: 'property-system', tenantId: 'ten_2', keyId: 'k', scopes: [] },
  ],
];

interface ViewLinkRow {
  documentId: string;
  viewerId: string;
  part: ViewPart;
  expiresAt: Date;
}

function setup() {
  const f = vaultFakes();
  // document_view_links, as the service reads and writes it.
  const viewLinks = new Map<string, ViewLinkRow>();
  f.db.on(/INSERT INTO document_view_links/, (p) => {
    const [hash, documentId, viewerId, part, expiresAt] = p as [Buffer, string, string, ViewPart, Date];
    viewLinks.set(hash.toString('hex'), { documentId, viewerId, part, expiresAt });
    return [];
  });
  f.db.on(/SELECT document_id, viewer_id, part FROM document_view_links/, (p) => {
    const [hash, now] = p as [Buffer, Date];
    const row = viewLinks.get(hash.toString('hex'));
    return row && row.expiresAt > now
      ? [{ document_id: row.documentId, viewer_id: row.viewerId, part: row.part }]
      : [];
  });
  const service = new ReviewService(
    f.uow,
    f.documents,
    f.cases,
    f.sealed,
    f.outbox.writer,
    f.audit,
    new RelayScheduler(),
    VIEW_TTL_SECONDS,
    f.metrics,
    f.clock.fn,
    f.logger,
  );
  f.cases.add(aCase());
  f.documents.add(aDocument());
  f.sealed.put({ documentId: 'doc_1', version: 1, part: 'front' }, Buffer.from('front jpeg'));
  f.sealed.put({ documentId: 'doc_1', version: 1, part: 'back' }, Buffer.from('back jpeg'));
  return { ...f, service, viewLinks };
}

describe('ReviewService: who may review', () => {
  it.each(strangers)('refuses %s everything, with AuthError tenant_mismatch', async (_who, caller) => {
    const t = setup();
    for (const attempt of [
      () => t.service.listForCase(caller, 'cc_1'),
      () => t.service.issueViewLink(caller, 'doc_1', 'front'),
      () => t.service.approve(caller, 'doc_1'),
      () => t.service.reject(caller, 'doc_1', 'unreadable'),
    ]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect(err).toMatchObject({ code: 'tenant_mismatch' });
      expect((err as AuthError).getStatus()).toBe(403);
    }
    expect(t.documents.get('doc_1').status).toBe('submitted');
    expect(t.viewLinks.size).toBe(0);
    expect(t.audit.entries).toHaveLength(0);
    expect(t.outbox.written).toHaveLength(0);
    expect(t.db.timers.size).toBe(0);
  });

  it('lets an operator and a manager of the property in', async () => {
    const t = setup();
    const operator = steward({ subject: 'op_1', roles: ['operator'], tenantId: null, propertyIds: [] });
    const manager = steward({ subject: 'mgr_1', roles: ['manager'] });
    expect(await t.service.listForCase(operator, 'cc_1')).toHaveLength(1);
    await expect(t.service.issueViewLink(manager, 'doc_1', 'front')).resolves.toMatchObject({
      token: expect.any(String),
    });
  });

  it('lists nothing for a case the vault does not know', async () => {
    const t = setup();
    expect(await t.service.listForCase(steward(), 'cc_unknown')).toEqual([]);
  });

  it('lists a case’s documents as summaries without any part or link', async () => {
    const t = setup();
    const [s] = await t.service.listForCase(steward(), 'cc_1');
    expect(s).toEqual({
      id: 'doc_1',
      requestId: 'ur_1',
      documentType: 'resident_id_card',
      sides: ['front', 'back'],
      status: 'submitted',
      attempt: 1,
      checks: {},
      hasTypedFields: false,
      submittedAt: T0.toISOString(),
      reviewedAt: null,
      rejectionReason: null,
    });
  });

  it('answers 404 for an unknown document', async () => {
    const t = setup();
    await expect(t.service.approve(steward(), 'doc_nope')).rejects.toBeInstanceOf(DocumentNotFoundError);
    await expect(t.service.issueViewLink(steward(), 'doc_nope', 'front')).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('ReviewService: a document uploaded before its case’s property was known', () => {
  // Regression tests of bugs found by these specs (fixed on 2026-12-02).
  const otherProperty = steward({ subject: 'stf_y', propertyIds: ['prop_2'] });

  it('hides it from a steward of another property in the case listing', async () => {
    const t = setup();
    t.documents.add(aDocument({ propertyId: null }));
    await expect(t.service.listForCase(otherProperty, 'cc_1')).rejects.toBeInstanceOf(AuthError);
  });

  it('refuses that steward a view link too', async () => {
    const t = setup();
    t.documents.add(aDocument({ propertyId: null }));
    await expect(t.service.issueViewLink(otherProperty, 'doc_1', 'front')).rejects.toBeInstanceOf(AuthError);
  });

  it('refuses that steward a decision too', async () => {
    const t = setup();
    t.documents.add(aDocument({ propertyId: null }));
    await expect(t.service.approve(otherProperty, 'doc_1')).rejects.toBeInstanceOf(AuthError);
  });
});

describe('ReviewService view links', () => {
  it('issues a short-lived link whose secret is stored only as its hash, and audits the issue', async () => {
    const t = setup();
    const link = await t.service.issueViewLink(steward(), 'doc_1', 'front');
    expect(looksLikeSecret(link.token)).toBe(true);
    expect(link.expiresAt).toEqual(new Date(T0.getTime() + VIEW_TTL_SECONDS * 1000));
    expect([...t.viewLinks.keys()]).toEqual([hashSecret(link.token).toString('hex')]);
    expect(JSON.stringify(t.db.sql)).not.toContain(link.token);
    expect(t.audit.entries).toEqual([
      expect.objectContaining({
        actor: { kind: 'steward', id: 'stf_1' },
        action: 'document.view_link_issued',
        subject: { type: 'document', id: 'doc_1' },
        details: { part: 'front', expiresAt: link.expiresAt.toISOString() },
      }),
    ]);
  });

  it.each([
    ['a side an ID card does not have', aDocument(), 'single_page'],
    ['typed fields that were never given', aDocument({ hasTypedFields: false }), 'fields'],
    ['any part of a purged document', aDocument({ status: 'purged' }), 'front'],
  ] as const)('answers 404 for %s', async (_what, doc, part) => {
    const t = setup();
    t.documents.add(doc);
    await expect(t.service.issueViewLink(steward(), 'doc_1', part)).rejects.toBeInstanceOf(
      DocumentNotFoundError,
    );
    expect(t.viewLinks.size).toBe(0);
    expect(t.audit.entries).toHaveLength(0);
  });

  it('issues a fields link when typed fields were given', async () => {
    const t = setup();
    t.documents.add(aDocument({ hasTypedFields: true }));
    await expect(t.service.issueViewLink(steward(), 'doc_1', 'fields')).resolves.toBeDefined();
  });

  it('serves the part through the link, audits the view as the steward who was issued the link, counts it', async () => {
    const t = setup();
    const link = await t.service.issueViewLink(steward(), 'doc_1', 'back');
    const shown = await t.service.view(link.token);
    expect(shown).toEqual({ part: 'back', bytes: Buffer.from('back jpeg') });
    expect(t.audit.entries.at(-1)).toMatchObject({
      actor: { kind: 'steward', id: 'stf_1' },
      action: 'document.viewed',
      purpose: 'document_review',
      subject: { type: 'document', id: 'doc_1' },
      caseId: 'cc_1',
      tenantId: 'ten_1',
      details: { part: 'back' },
    });
    expect(await t.count('portico_vault_document_views_total')).toBe(1);
  });

  it('refuses an expired link (exactly at its expiry) with ViewLinkInvalidError, auditing nothing', async () => {
    const t = setup();
    const link = await t.service.issueViewLink(steward(), 'doc_1', 'front');
    t.clock.now = link.expiresAt;
    const err = await t.service.view(link.token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ViewLinkInvalidError);
    expect(err).toMatchObject({ status: 404, code: 'view_link_invalid' });
    expect(t.db.queries(/SELECT document_id/).at(-1)!.params[1]).toEqual(link.expiresAt);
    expect(t.audit.actions()).toEqual(['document.view_link_issued']);
    expect(await t.count('portico_vault_document_views_total')).toBe(0);
  });

  it('refuses a junk token without a query and an unknown one after it', async () => {
    const t = setup();
    await expect(t.service.view('nope')).rejects.toBeInstanceOf(ViewLinkInvalidError);
    expect(t.db.queries(/document_view_links/)).toHaveLength(0);
    await expect(t.service.view('A'.repeat(43))).rejects.toBeInstanceOf(ViewLinkInvalidError);
  });

  it('refuses a link to a document purged after the link was issued', async () => {
    const t = setup();
    const link = await t.service.issueViewLink(steward(), 'doc_1', 'front');
    t.documents.add({ ...t.documents.get('doc_1'), status: 'purged' });
    await expect(t.service.view(link.token)).rejects.toBeInstanceOf(ViewLinkInvalidError);
    expect(t.sealed.calls.filter((c) => c.startsWith('open'))).toEqual([]);
  });
});

describe('ReviewService decisions', () => {
  it('approves: status, reviewer and time recorded, DocumentApproved published, summary returned', async () => {
    const t = setup();
    const summary = await t.service.approve(steward(), 'doc_1');
    expect(summary).toMatchObject({ id: 'doc_1', status: 'approved', reviewedAt: T0.toISOString() });
    expect(t.documents.get('doc_1')).toMatchObject({
      status: 'approved',
      reviewerId: 'stf_1',
      reviewedAt: T0,
      rejectionReason: null,
    });
    expect(t.outbox.only('documentApproved')).toMatchObject({
      documentId: 'doc_1',
      stewardId: 'stf_1',
      caseId: 'cc_1',
      requestId: 'ur_1',
    });
    expect(t.audit.entries).toEqual([
      expect.objectContaining({ action: 'document.approved', actor: { kind: 'steward', id: 'stf_1' } }),
    ]);
    expect(await t.count('portico_vault_reviews_total', { decision: 'approved' })).toBe(1);
  });

  it('schedules the relay, due at once, in the approval’s own transaction', async () => {
    const t = setup();
    await t.service.approve(steward(), 'doc_1');
    const timer = t.db.timers.get('relay:doc_1');
    expect(timer).toMatchObject({ kind: 'document_relay', dueAt: T0, payload: { documentId: 'doc_1' } });
    expect(timer!.tx).toBe(t.outbox.written[0]!.tx);
    expect(timer!.tx).toBe(t.audit.entries[0]!.tx);
  });

  it('leaves no relay behind when the approval fails after scheduling it', async () => {
    const t = setup();
    t.audit.record = async () => {
      throw new Error('audit log unavailable');
    };
    await expect(t.service.approve(steward(), 'doc_1')).rejects.toThrow('audit log unavailable');
    expect(t.db.timers.size).toBe(0);
    expect(t.documents.get('doc_1').status).toBe('submitted');
    expect(t.outbox.written).toHaveLength(0);
  });

  it.each(REJECTION_REASONS)('rejects for %s, publishing the matching contract reason', async (reason) => {
    const t = setup();
    await t.service.reject(steward(), 'doc_1', reason);
    expect(t.outbox.only('documentRejected').reason).toBe(
      common.DocumentRejectionReason[reason.toUpperCase() as keyof typeof common.DocumentRejectionReason],
    );
    expect(t.documents.get('doc_1')).toMatchObject({ status: 'rejected', rejectionReason: reason });
  });

  it('rejects without scheduling a relay, and audits the reason', async () => {
    const t = setup();
    const summary = await t.service.reject(steward(), 'doc_1', 'name_mismatch');
    expect(summary).toMatchObject({ status: 'rejected', rejectionReason: 'name_mismatch' });
    expect(t.outbox.only('documentRejected')).toMatchObject({
      documentId: 'doc_1',
      stewardId: 'stf_1',
      reason: common.DocumentRejectionReason.NAME_MISMATCH,
    });
    expect(t.db.timers.size).toBe(0);
    expect(t.audit.entries[0]).toMatchObject({
      action: 'document.rejected',
      details: { reason: 'name_mismatch' },
    });
    expect(await t.count('portico_vault_reviews_total', { decision: 'rejected' })).toBe(1);
  });

  it.each([
    ['approve after approve', 'approve', 'approve'],
    ['reject after approve', 'approve', 'reject'],
    ['approve after reject', 'reject', 'approve'],
  ] as const)(
    'refuses a second decision (%s) with DocumentAlreadyDecidedError',
    async (_what, first, second) => {
      const t = setup();
      const decide = (d: 'approve' | 'reject') =>
        d === 'approve'
          ? t.service.approve(steward(), 'doc_1')
          : t.service.reject(steward(), 'doc_1', 'other');
      await decide(first);
      const status = t.documents.get('doc_1').status;
      const err = await decide(second).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DocumentAlreadyDecidedError);
      expect(err).toMatchObject({ status: 409, details: { documentId: 'doc_1', status } });
      expect(t.outbox.written).toHaveLength(1);
      expect(t.documents.get('doc_1').status).toBe(status);
    },
  );

  it('refuses to decide on a purged document', async () => {
    const t = setup();
    t.documents.add(aDocument({ status: 'purged' }));
    await expect(t.service.approve(steward(), 'doc_1')).rejects.toBeInstanceOf(DocumentAlreadyDecidedError);
  });
});
