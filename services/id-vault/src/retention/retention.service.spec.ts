import { vault } from '@portico/contracts';
import type { PurgeReasonName } from '../events/vault-events';
import type { AuditActor } from '../shared/audit-trail';
import { aCase, aDocument, DAY, T0, vaultFakes } from '../test-support/vault-fakes';
import { RetentionService } from './retention.service';

const SYSTEM: AuditActor = { kind: 'system', id: 'id-vault' };

function setup() {
  const f = vaultFakes();
  const service = new RetentionService(
    f.documents,
    f.cases,
    f.sealed,
    f.outbox.writer,
    f.audit,
    f.metrics,
    f.clock.fn,
    f.logger,
  );
  f.cases.add(aCase());
  f.documents.add(aDocument());
  f.sealed.put({ documentId: 'doc_1', version: 1, part: 'front' }, Buffer.from('front'));
  f.sealed.put({ documentId: 'doc_1', version: 1, part: 'back' }, Buffer.from('back'));
  // One timeline of the two steps that matter: keys destroyed, then the row marked.
  const steps: string[] = [];
  const shred = f.sealed.shred.bind(f.sealed);
  f.sealed.shred = async (m, id) => {
    steps.push(`shred ${id}`);
    await shred(m, id);
  };
  const markPurged = f.documents.markPurged.bind(f.documents);
  f.documents.markPurged = async (m, id, reason, at) => {
    steps.push(`mark ${id}`);
    return markPurged(m, id, reason, at);
  };
  const inTx = <T>(work: (m: import('typeorm').EntityManager) => Promise<T>) => f.uow.transaction(work);
  return { ...f, service, steps, inTx };
}

describe('RetentionService.purgeDocument', () => {
  it('crypto-shreds first, then marks the document purged with the reason and time', async () => {
    const t = setup();
    t.clock.advance(DAY);
    expect(await t.inTx((m) => t.service.purgeDocument(m, 'doc_1', 'retention_elapsed', SYSTEM))).toBe(true);
    expect(t.steps).toEqual(['shred doc_1', 'mark doc_1']);
    expect(t.sealed.partsOf('doc_1')).toEqual([]);
    expect(t.documents.get('doc_1')).toMatchObject({
      status: 'purged',
      purgedAt: new Date(T0.getTime() + DAY),
    });
    expect(t.documents.purgeReasons.get('doc_1')).toBe('retention_elapsed');
  });

  it.each([
    ['retention_elapsed', vault.PurgeReason.RETENTION_ELAPSED],
    ['consent_withdrawn', vault.PurgeReason.CONSENT_WITHDRAWN],
    ['superseded', vault.PurgeReason.SUPERSEDED],
    ['operator', vault.PurgeReason.OPERATOR],
  ] as Array<[PurgeReasonName, vault.PurgeReason]>)(
    'publishes DocumentPurged with reason %s and audits it',
    async (reason, contractReason) => {
      const t = setup();
      const actor: AuditActor = { kind: 'resident', id: 'ur_1' };
      await t.inTx((m) => t.service.purgeDocument(m, 'doc_1', reason, actor));
      expect(t.outbox.only('documentPurged')).toMatchObject({
        documentId: 'doc_1',
        requestId: 'ur_1',
        caseId: 'cc_1',
        reason: contractReason,
      });
      expect(t.outbox.written[0]!.key).toBe('prc_1');
      expect(t.audit.entries).toEqual([
        expect.objectContaining({
          actor,
          action: 'document.purged',
          purpose: reason,
          subject: { type: 'document', id: 'doc_1' },
          caseId: 'cc_1',
          tenantId: 'ten_1',
          details: { reason },
        }),
      ]);
      expect(await t.count('portico_vault_purges_total', { reason })).toBe(1);
    },
  );

  it('returns false and does nothing for a document already purged (a replayed timer)', async () => {
    const t = setup();
    t.documents.add(aDocument({ status: 'purged' }));
    expect(await t.inTx((m) => t.service.purgeDocument(m, 'doc_1', 'retention_elapsed', SYSTEM))).toBe(false);
    expect(t.steps).toEqual([]);
    expect(t.outbox.written).toEqual([]);
    expect(t.audit.entries).toEqual([]);
    expect(await t.count('portico_vault_purges_total')).toBe(0);
  });

  it('returns false for a document that does not exist', async () => {
    const t = setup();
    expect(await t.inTx((m) => t.service.purgeDocument(m, 'doc_nope', 'retention_elapsed', SYSTEM))).toBe(
      false,
    );
    expect(t.steps).toEqual([]);
  });

  it('emits nothing when another purge marked the document first (the row update finds it purged)', async () => {
    const t = setup();
    t.documents.markPurged = async () => false;
    await t.inTx((m) => t.service.purgeDocument(m, 'doc_1', 'retention_elapsed', SYSTEM));
    expect(t.outbox.written).toEqual([]);
    expect(t.audit.entries).toEqual([]);
  });

  it('still purges and audits a document whose case the vault has lost, without an event', async () => {
    const t = setup();
    t.cases.rows.clear();
    expect(await t.inTx((m) => t.service.purgeDocument(m, 'doc_1', 'operator', SYSTEM))).toBe(true);
    expect(t.documents.get('doc_1').status).toBe('purged');
    expect(t.outbox.written).toEqual([]);
    expect(t.audit.actions()).toEqual(['document.purged']);
  });
});

describe('RetentionService.purgeCaseDocuments', () => {
  it('purges every live document of the case, from any of its links, and counts them', async () => {
    const t = setup();
    t.documents.add(aDocument({ id: 'doc_2', requestId: 'ur_0', submittedAt: new Date(T0.getTime() + 1) }));
    t.documents.add(aDocument({ id: 'doc_done', status: 'purged' }));
    t.documents.add(aDocument({ id: 'doc_other', caseId: 'cc_2', requestId: 'ur_2' }));
    const n = await t.inTx((m) =>
      t.service.purgeCaseDocuments(m, 'cc_1', 'consent_withdrawn', { kind: 'resident', id: 'ur_1' }),
    );
    expect(n).toBe(2);
    expect(t.steps).toEqual(['shred doc_1', 'mark doc_1', 'shred doc_2', 'mark doc_2']);
    expect(t.documents.get('doc_other').status).toBe('submitted');
    expect(t.outbox.kinds()).toEqual(['documentPurged', 'documentPurged']);
  });
});

describe('RetentionService.purgeSupersededInCase', () => {
  it('purges the case’s rejected documents submitted up to now, keeping the new one and every other status', async () => {
    const t = setup();
    const at = new Date(T0.getTime() + DAY);
    t.documents.add(aDocument({ id: 'doc_1', status: 'rejected' }));
    t.documents.add(aDocument({ id: 'doc_new', status: 'rejected', submittedAt: at }));
    t.documents.add(
      aDocument({ id: 'doc_later', status: 'rejected', submittedAt: new Date(at.getTime() + 1) }),
    );
    t.documents.add(aDocument({ id: 'doc_approved', status: 'approved' }));
    await t.inTx((m) => t.service.purgeSupersededInCase(m, 'cc_1', 'doc_new', at));
    expect(t.documents.withStatus('purged').map((d) => d.id)).toEqual(['doc_1']);
    expect(t.documents.purgeReasons.get('doc_1')).toBe('superseded');
    expect(t.audit.entries[0]!.actor).toEqual(SYSTEM);
  });
});
