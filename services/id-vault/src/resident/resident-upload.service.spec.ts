import { common, vault } from '@portico/contracts';
import { backstopPurgeAt } from '../cases/vault-case';
import { CONSENT_TEXT_VERSION } from '../documents/consent';
import type { CheckFailure, CheckedSide } from '../documents/document-ports';
import { RetentionScheduler } from '../retention/retention-scheduler';
import { RetentionService } from '../retention/retention.service';
import { issueSecret } from '../shared/secret-token';
import {
  aCase,
  aConsent,
  aDocument,
  aRequest,
  DAY,
  FakeDocumentChecker,
  HOUR,
  T0,
  vaultFakes,
} from '../test-support/vault-fakes';
import { UploadLinkNotFoundError, UploadLinkUnusableError } from '../upload-requests/upload-request-errors';
import { ConsentRequiredError, DocumentChecksFailedError } from './resident-errors';
import { ResidentUploadService, type Submission } from './resident-upload.service';

const RETENTION_DAYS = 7;

function setup() {
  const f = vaultFakes();
  const checker = new FakeDocumentChecker();
  const retention = new RetentionService(
    f.documents,
    f.cases,
    f.sealed,
    f.outbox.writer,
    f.audit,
    f.metrics,
    f.clock.fn,
    f.logger,
  );
  const service = new ResidentUploadService(
    f.uow,
    f.cases,
    f.requests,
    f.consents,
    f.documents,
    checker,
    f.sealed,
    f.outbox.writer,
    f.audit,
    new RetentionScheduler(RETENTION_DAYS),
    retention,
    RETENTION_DAYS,
    f.metrics,
    f.clock.fn,
    f.ids,
    f.logger,
    f.submissions,
  );
  const link = issueSecret();
  const vaultCase = f.cases.add(aCase());
  f.requests.add(aRequest(), link.hash);
  return { ...f, checker, service, token: link.token, vaultCase };
}

const jpeg = (label: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from(label)]);
const checked = (side: CheckedSide['side'], label = side): CheckedSide => ({
  side,
  jpeg: jpeg(`normalised ${label}`),
  width: 800,
  height: 500,
  sharpness: 123.4,
});
const submission = (typed: Submission['typed'] = {}): Submission => ({
  documentType: 'resident_id_card',
  sides: [
    { side: 'front', bytes: jpeg('raw front') },
    { side: 'back', bytes: jpeg('raw back') },
  ],
  typed,
});
const blurryFront: CheckFailure = {
  code: vault.DocumentCheckCode.BLURRY,
  name: 'blurry',
  side: 'front',
  message: { en: 'The front photo is blurry.', zh: '正面照片模糊。' },
};
const backMissing: CheckFailure = {
  code: vault.DocumentCheckCode.SIDE_MISSING,
  name: 'side_missing',
  side: 'back',
  message: { en: 'The back is missing.', zh: '缺少背面。' },
};

describe('ResidentUploadService: resolving the link', () => {
  it.each([
    ['an empty token', ''],
    ['a short token', 'abc'],
    ['a token one character too long', 'a'.repeat(44)],
    ['a token with characters outside base64url', `${'a'.repeat(42)}.`],
    ['a path-traversal attempt', '../../etc/passwd'],
  ])('refuses %s without asking the repository', async (_what, junk) => {
    const t = setup();
    await expect(t.service.view(junk)).rejects.toBeInstanceOf(UploadLinkNotFoundError);
    await expect(t.service.giveConsent(junk, 'zh')).rejects.toBeInstanceOf(UploadLinkNotFoundError);
    await expect(t.service.submit(junk, submission())).rejects.toBeInstanceOf(UploadLinkNotFoundError);
    await expect(t.service.withdraw(junk)).rejects.toBeInstanceOf(UploadLinkNotFoundError);
    expect(t.requests.tokenLookups).toHaveLength(0);
    expect(t.checker.requests).toHaveLength(0);
  });

  it('answers a well-shaped but unknown token exactly like junk (404 upload_link_invalid)', async () => {
    const t = setup();
    const err = await t.service.view(issueSecret().token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadLinkNotFoundError);
    expect(err).toMatchObject({ status: 404, code: 'upload_link_invalid' });
    expect(t.requests.tokenLookups).toHaveLength(1);
  });

  it('shows the page’s facts: carrier, waybill, link state, consent and the documents still on record', async () => {
    const t = setup();
    t.documents.add(aDocument({ id: 'doc_mine', status: 'rejected', rejectionReason: 'unreadable' }));
    t.documents.add(aDocument({ id: 'doc_other_link', requestId: 'ur_0', status: 'purged' }));
    t.consents.add(aConsent());
    const v = await t.service.view(t.token);
    expect(v).toMatchObject({
      requestId: 'ur_1',
      carrierCode: 'sf-express',
      trackingNumber: 'SF1234567890',
      link: 'usable',
      consent: { textVersion: CONSENT_TEXT_VERSION, givenAt: T0 },
      retentionDays: RETENTION_DAYS,
      documents: [{ type: 'resident_id_card', status: 'rejected', rejectionReason: 'unreadable' }],
    });
  });

  it('reports an expired link as expired on the page rather than failing', async () => {
    const t = setup();
    t.clock.now = t.requests.get('ur_1').expiresAt;
    expect((await t.service.view(t.token)).link).toBe('expired');
  });
});

describe('ResidentUploadService.giveConsent', () => {
  it('records the consent with the text version, the carrier as recipient and the retention, and audits it', async () => {
    const t = setup();
    const c = await t.service.giveConsent(t.token, 'en');
    expect(c).toMatchObject({
      requestId: 'ur_1',
      textVersion: CONSENT_TEXT_VERSION,
      terms: { purpose: 'customs_clearance', recipient: 'sf-express', retentionDays: RETENTION_DAYS },
      language: 'en',
      givenAt: T0,
      withdrawnAt: null,
    });
    expect(t.consents.values()).toEqual([c]);
    expect(t.audit.entries).toEqual([
      expect.objectContaining({
        actor: { kind: 'resident', id: 'ur_1' },
        action: 'consent.given',
        subject: { type: 'consent', id: c.id },
      }),
    ]);
  });

  it('returns the consent already given for the current text instead of a second one', async () => {
    const t = setup();
    const first = await t.service.giveConsent(t.token, 'zh');
    const again = await t.service.giveConsent(t.token, 'zh');
    expect(again.id).toBe(first.id);
    expect(t.consents.values()).toHaveLength(1);
    expect(t.audit.actions()).toEqual(['consent.given']);
  });

  it('refuses consent through an expired link (410 upload_link_expired)', async () => {
    const t = setup();
    t.clock.advance(72 * HOUR);
    await expect(t.service.giveConsent(t.token, 'zh')).rejects.toMatchObject({
      state: 'expired',
      status: 410,
      code: 'upload_link_expired',
    });
    expect(t.consents.values()).toHaveLength(0);
  });
});

describe('ResidentUploadService.submit', () => {
  it('requires consent: 409 consent_required and nothing stored or counted', async () => {
    const t = setup();
    t.checker.outcome = { ok: true, sides: [checked('front'), checked('back')] };
    const err = await t.service.submit(t.token, submission()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsentRequiredError);
    expect(err).toMatchObject({ status: 409, code: 'consent_required' });
    expect(t.documents.values()).toHaveLength(0);
    expect(t.sealed.parts.size).toBe(0);
    expect(t.outbox.written).toHaveLength(0);
    expect(t.requests.get('ur_1')).toMatchObject({ status: 'open', attempts: 0 });
  });

  it('refuses a used link before running any check', async () => {
    const t = setup();
    t.consents.add(aConsent());
    await t.requests.setStatus(t.db.manager(true), 'ur_1', 'submitted');
    await expect(t.service.submit(t.token, submission())).rejects.toMatchObject({
      state: 'used',
      status: 409,
    });
    expect(t.checker.requests).toHaveLength(0);
  });

  it('asks the checker with the waybill digest and the case deadline as the validity floor', async () => {
    const t = setup();
    t.consents.add(aConsent());
    t.checker.outcome = { ok: true, sides: [checked('front'), checked('back')] };
    await t.service.submit(t.token, submission({ name: '王小明' }));
    expect(t.checker.requests).toEqual([
      expect.objectContaining({
        documentType: 'resident_id_card',
        typed: { name: '王小明' },
        waybillNameDigest: 'k1:ZGlnZXN0',
        validUntilAtLeast: t.vaultCase.deadline,
      }),
    ]);
    expect(t.checker.requests[0]!.sides.map((s) => s.side)).toEqual(['front', 'back']);
  });

  it('checks a declared type against what the link asked for (a passport on an ID-card link)', async () => {
    const t = setup();
    t.consents.add(aConsent());
    t.checker.outcome = { ok: false, failures: [blurryFront] };
    await t.service.submit(t.token, { ...submission(), documentType: 'passport' }).catch(() => undefined);
    expect(t.checker.requests[0]).toMatchObject({
      documentType: 'passport',
      requestedType: 'resident_id_card',
    });
  });

  it('uses now as the validity floor when the deadline has passed', async () => {
    const t = setup();
    t.cases.add(aCase({ deadline: new Date(T0.getTime() - DAY) }));
    t.consents.add(aConsent());
    t.checker.outcome = { ok: false, failures: [blurryFront] };
    await t.service.submit(t.token, submission()).catch(() => undefined);
    expect(t.checker.requests[0]!.validUntilAtLeast).toEqual(T0);
  });

  describe('when a check fails', () => {
    async function failedSubmission() {
      const t = setup();
      t.consents.add(aConsent());
      t.checker.outcome = { ok: false, failures: [blurryFront, backMissing] };
      const err = await t.service.submit(t.token, submission()).catch((e: unknown) => e);
      return { ...t, err };
    }

    it('answers 422 with each failure’s code, side and zh/en message', async () => {
      const { err } = await failedSubmission();
      expect(err).toBeInstanceOf(DocumentChecksFailedError);
      expect(err).toMatchObject({ status: 422, code: 'document_checks_failed' });
      expect((err as DocumentChecksFailedError).details).toEqual({
        failures: [
          { code: 'blurry', side: 'front', message: blurryFront.message },
          { code: 'side_missing', side: 'back', message: backMissing.message },
        ],
      });
    });

    it('counts the attempt and commits DocumentChecksFailed and its audit entry', async () => {
      const t = await failedSubmission();
      expect(t.uow.outcomes).toEqual(['committed']);
      expect(t.requests.get('ur_1')).toMatchObject({ attempts: 1, status: 'open' });
      const e = t.outbox.only('documentChecksFailed');
      expect(e.attempt).toBe(1);
      expect(e.documentType).toBe(common.DocumentType.RESIDENT_ID_CARD);
      expect(e.failures.map((x) => [x.code, x.side])).toEqual([
        [vault.DocumentCheckCode.BLURRY, common.DocumentSide.FRONT],
        [vault.DocumentCheckCode.SIDE_MISSING, common.DocumentSide.BACK],
      ]);
      expect(t.audit.entries).toEqual([
        expect.objectContaining({
          actor: { kind: 'resident', id: 'ur_1' },
          action: 'document.checks_failed',
          subject: { type: 'upload_request', id: 'ur_1' },
          details: { attempt: 1, codes: ['blurry', 'side_missing'] },
        }),
      ]);
    });

    it('stores nothing: no document, no sealed part, no purge timer', async () => {
      const t = await failedSubmission();
      expect(t.documents.values()).toHaveLength(0);
      expect(t.sealed.parts.size).toBe(0);
      expect(t.db.timers.size).toBe(0);
    });

    it('counts a rejected upload and one rejection per reason', async () => {
      const t = await failedSubmission();
      expect(await t.count('portico_vault_uploads_total', { outcome: 'rejected' })).toBe(1);
      expect(await t.count('portico_vault_uploads_total', { outcome: 'accepted' })).toBe(0);
      expect(await t.count('portico_vault_upload_rejections_total', { reason: 'blurry' })).toBe(1);
      expect(await t.count('portico_vault_upload_rejections_total', { reason: 'side_missing' })).toBe(1);
    });

    it('numbers the next attempt 2', async () => {
      const t = await failedSubmission();
      await t.service.submit(t.token, submission()).catch(() => undefined);
      expect(t.requests.get('ur_1').attempts).toBe(2);
      expect(t.outbox.written.map((e) => (e.message.event.value as { attempt: number }).attempt)).toEqual([
        1, 2,
      ]);
    });
  });

  describe('when the checks pass', () => {
    async function acceptedSubmission(typed: Submission['typed'] = {}) {
      const t = setup();
      t.consents.add(aConsent());
      t.checker.outcome = { ok: true, sides: [checked('front'), checked('back')] };
      const result = await t.service.submit(t.token, submission(typed));
      return { ...t, result, doc: t.documents.get(result.documentId) };
    }

    it('stores the document as submitted, with the consent, the attempt and per-side measurements', async () => {
      const { doc } = await acceptedSubmission();
      expect(doc).toMatchObject({
        requestId: 'ur_1',
        caseId: 'cc_1',
        tenantId: 'ten_1',
        propertyId: 'prop_1',
        parcelId: 'prc_1',
        documentType: 'resident_id_card',
        sides: ['front', 'back'],
        version: 1,
        channel: 'resident_upload',
        consentId: 'cst_1',
        attempt: 1,
        status: 'submitted',
        hasTypedFields: false,
        submittedAt: T0,
        checkSummary: {
          front: { width: 800, height: 500, sharpness: 123 },
          back: { width: 800, height: 500, sharpness: 123 },
        },
      });
    });

    it('seals each normalised side (never the raw upload) and no fields part when nothing was typed', async () => {
      const t = await acceptedSubmission();
      expect(t.sealed.partsOf(t.doc.id)).toEqual(['back', 'front']);
      expect(t.sealed.parts.get(`${t.doc.id}/v1/front`)).toEqual(jpeg('normalised front'));
      expect(t.sealed.parts.get(`${t.doc.id}/v1/back`)).toEqual(jpeg('normalised back'));
    });

    it('does not count empty typed fields as given', async () => {
      const t = await acceptedSubmission({ idNumber: '', name: '' });
      expect(t.doc.hasTypedFields).toBe(false);
      expect(t.sealed.partsOf(t.doc.id)).not.toContain('fields');
    });

    it('seals the typed fields as JSON when any was given', async () => {
      const t = await acceptedSubmission({ idNumber: '110105199001011234', expiry: '长期' });
      expect(t.doc.hasTypedFields).toBe(true);
      expect(t.sealed.partsOf(t.doc.id)).toEqual(['back', 'fields', 'front']);
      expect(JSON.parse(t.sealed.parts.get(`${t.doc.id}/v1/fields`)!.toString('utf8'))).toEqual({
        idNumber: '110105199001011234',
        expiry: '长期',
      });
    });

    it('schedules the backstop purge at the deadline plus retention', async () => {
      const t = await acceptedSubmission();
      const timer = t.db.timers.get(`purge:${t.doc.id}`);
      expect(timer).toMatchObject({ kind: 'document_purge', payload: { documentId: t.doc.id } });
      expect(timer!.dueAt).toEqual(backstopPurgeAt(t.vaultCase, T0, RETENTION_DAYS));
      expect(timer!.dueAt).toEqual(new Date(t.vaultCase.deadline!.getTime() + RETENTION_DAYS * DAY));
    });

    it('marks the link used and publishes DocumentSubmitted with the consent version and attempt', async () => {
      const t = await acceptedSubmission();
      expect(t.requests.get('ur_1').status).toBe('submitted');
      const e = t.outbox.only('documentSubmitted');
      expect(e).toMatchObject({
        documentId: t.doc.id,
        requestId: 'ur_1',
        caseId: 'cc_1',
        consentId: 'cst_1',
        consentVersion: CONSENT_TEXT_VERSION,
        attempt: 1,
        documentType: common.DocumentType.RESIDENT_ID_CARD,
        sides: [common.DocumentSide.FRONT, common.DocumentSide.BACK],
        channel: vault.SubmissionChannel.RESIDENT_UPLOAD,
      });
      expect(t.outbox.written[0]!.key).toBe('prc_1');
    });

    it('audits the submission with ids and part names, never the typed values', async () => {
      const t = await acceptedSubmission({ name: '王小明', idNumber: '110105199001011234' });
      expect(t.audit.entries).toEqual([
        expect.objectContaining({
          actor: { kind: 'resident', id: 'ur_1' },
          action: 'document.submitted',
          subject: { type: 'document', id: t.doc.id },
          details: { attempt: 1, parts: ['front', 'back'], consentId: 'cst_1' },
        }),
      ]);
      const everythingVisible = JSON.stringify([t.audit.entries, t.lines, t.doc]);
      expect(everythingVisible).not.toContain('王小明');
      expect(everythingVisible).not.toContain('110105199001011234');
      expect(await t.count('portico_vault_uploads_total', { outcome: 'accepted' })).toBe(1);
    });

    it('purges the case’s older rejected documents as superseded, and only those', async () => {
      const t = setup();
      t.consents.add(aConsent());
      const before = new Date(T0.getTime() - DAY);
      t.documents.add(
        aDocument({ id: 'doc_rejected', requestId: 'ur_0', status: 'rejected', submittedAt: before }),
      );
      t.documents.add(
        aDocument({ id: 'doc_approved', requestId: 'ur_0', status: 'approved', submittedAt: before }),
      );
      t.documents.add(
        aDocument({ id: 'doc_other_case', caseId: 'cc_2', status: 'rejected', submittedAt: before }),
      );
      for (const id of ['doc_rejected', 'doc_approved', 'doc_other_case'])
        t.sealed.put({ documentId: id, version: 1, part: 'front' }, jpeg(id));
      t.checker.outcome = { ok: true, sides: [checked('front'), checked('back')] };

      const { documentId } = await t.service.submit(t.token, submission());

      expect(t.documents.get('doc_rejected').status).toBe('purged');
      expect(t.documents.purgeReasons.get('doc_rejected')).toBe('superseded');
      expect(t.sealed.shredded).toEqual(['doc_rejected']);
      expect(t.documents.get('doc_approved').status).toBe('approved');
      expect(t.documents.get('doc_other_case').status).toBe('rejected');
      expect(t.documents.get(documentId).status).toBe('submitted');
      expect(t.outbox.only('documentPurged')).toMatchObject({
        documentId: 'doc_rejected',
        reason: vault.PurgeReason.SUPERSEDED,
      });
      expect(t.outbox.kinds()).toEqual(['documentPurged', 'documentSubmitted']);
    });
  });

  it('refuses with upload_link_used when the link was used between the checks and the commit', async () => {
    const t = setup();
    t.consents.add(aConsent());
    t.checker.outcome = { ok: true, sides: [checked('front'), checked('back')] };
    // Another tab's upload commits while this one's checks run.
    t.checker.meanwhile = () => t.requests.setStatus(t.db.manager(true), 'ur_1', 'submitted');

    const err = await t.service.submit(t.token, submission()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(UploadLinkUnusableError);
    expect(err).toMatchObject({ state: 'used', status: 409, code: 'upload_link_used' });
    expect(t.documents.values()).toHaveLength(0);
    expect(t.sealed.parts.size).toBe(0);
    expect(t.outbox.written).toHaveLength(0);
    expect(t.requests.get('ur_1').attempts).toBe(0);
  });

  it('refuses with upload_link_superseded when a new link replaced this one during the checks', async () => {
    const t = setup();
    t.consents.add(aConsent());
    t.checker.outcome = { ok: true, sides: [checked('front'), checked('back')] };
    t.checker.meanwhile = () => t.requests.setStatus(t.db.manager(true), 'ur_1', 'superseded');
    await expect(t.service.submit(t.token, submission())).rejects.toMatchObject({
      state: 'superseded',
      status: 410,
    });
    expect(t.documents.values()).toHaveLength(0);
  });

  it('rolls everything back when a write fails half-way (the sealing of the back)', async () => {
    const t = setup();
    t.consents.add(aConsent());
    t.checker.outcome = { ok: true, sides: [checked('front'), checked('back')] };
    const seal = t.sealed.seal.bind(t.sealed);
    t.sealed.seal = async (m, ref, bytes) => {
      if (ref.part === 'back') throw new Error('store unavailable');
      return seal(m, ref, bytes);
    };
    await expect(t.service.submit(t.token, submission())).rejects.toThrow('store unavailable');
    expect(t.uow.outcomes).toEqual(['rolled_back']);
    expect(t.documents.values()).toHaveLength(0);
    expect(t.sealed.parts.size).toBe(0);
    expect(t.requests.get('ur_1')).toMatchObject({ status: 'open', attempts: 0 });
  });
});

describe('ResidentUploadService.withdraw', () => {
  function withDocument() {
    const t = setup();
    t.consents.add(aConsent());
    t.documents.add(aDocument());
    t.sealed.put({ documentId: 'doc_1', version: 1, part: 'front' }, jpeg('front'));
    t.sealed.put({ documentId: 'doc_1', version: 1, part: 'back' }, jpeg('back'));
    return t;
  }

  it('withdraws the consent, crypto-shreds the documents and revokes an open link', async () => {
    const t = withDocument();
    expect(await t.service.withdraw(t.token)).toEqual({ purged: 1 });
    expect(t.consents.rows.get('cst_1')!.withdrawnAt).toEqual(T0);
    expect(t.sealed.shredded).toEqual(['doc_1']);
    expect(t.sealed.partsOf('doc_1')).toEqual([]);
    expect(t.documents.get('doc_1').status).toBe('purged');
    expect(t.documents.purgeReasons.get('doc_1')).toBe('consent_withdrawn');
    expect(t.requests.get('ur_1').status).toBe('revoked');
    expect(t.outbox.only('documentPurged')).toMatchObject({
      documentId: 'doc_1',
      reason: vault.PurgeReason.CONSENT_WITHDRAWN,
    });
    expect(t.audit.entries.map((e) => [e.action, e.actor.kind, e.subject.id])).toEqual([
      ['consent.withdrawn', 'resident', 'cst_1'],
      ['document.purged', 'resident', 'doc_1'],
    ]);
  });

  it('works through a used (submitted) link, leaving its status as it is', async () => {
    const t = withDocument();
    await t.requests.setStatus(t.db.manager(true), 'ur_1', 'submitted');
    expect(await t.service.withdraw(t.token)).toEqual({ purged: 1 });
    expect(t.requests.get('ur_1').status).toBe('submitted');
  });

  it('works through an expired link: withdrawal is always possible', async () => {
    const t = withDocument();
    t.clock.advance(30 * DAY);
    expect(await t.service.withdraw(t.token)).toEqual({ purged: 1 });
  });

  it('purges nothing a second time', async () => {
    const t = withDocument();
    await t.service.withdraw(t.token);
    expect(await t.service.withdraw(t.token)).toEqual({ purged: 0 });
    expect(t.outbox.kinds()).toEqual(['documentPurged']);
  });
});
