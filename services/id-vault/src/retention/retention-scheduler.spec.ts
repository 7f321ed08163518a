import { aDocument, DAY, T0, vaultFakes } from '../test-support/vault-fakes';
import { PURGE_TIMER_KIND, purgeTimerKey, RetentionScheduler } from './retention-scheduler';

const PURGE_AFTER_DAYS = 7;

function setup() {
  const f = vaultFakes();
  // The live documents of a case, as the scheduler asks for them.
  f.db.on(/SELECT id, submitted_at FROM documents WHERE case_id = \$1 AND status <> 'purged'/, (p) =>
    f.documents
      .values()
      .filter((d) => d.caseId === p[0] && d.status !== 'purged')
      .map((d) => ({ id: d.id, submitted_at: d.submittedAt })),
  );
  return { ...f, scheduler: new RetentionScheduler(PURGE_AFTER_DAYS) };
}

describe('RetentionScheduler', () => {
  it('schedules one purge timer per document, keyed by the document', async () => {
    const t = setup();
    const due = new Date(T0.getTime() + 12 * DAY);
    await t.uow.transaction((m) => t.scheduler.scheduleDocumentPurge(m, 'doc_1', due));
    expect(purgeTimerKey('doc_1')).toBe('purge:doc_1');
    expect([...t.db.timers.entries()]).toEqual([
      [
        'purge:doc_1',
        expect.objectContaining({ kind: PURGE_TIMER_KIND, dueAt: due, payload: { documentId: 'doc_1' } }),
      ],
    ]);
  });

  it('refuses to schedule outside a transaction', async () => {
    const t = setup();
    await expect(t.uow.read((m) => t.scheduler.scheduleDocumentPurge(m, 'doc_1', T0))).rejects.toThrow(
      /open transaction/,
    );
  });

  it('at case closure, moves every live document of the case to closedAt + retention, earlier than the backstop', async () => {
    const t = setup();
    t.documents.add(aDocument({ id: 'doc_1' }));
    t.documents.add(aDocument({ id: 'doc_2', status: 'rejected' }));
    t.documents.add(aDocument({ id: 'doc_gone', status: 'purged' }));
    t.documents.add(aDocument({ id: 'doc_elsewhere', caseId: 'cc_2' }));
    const backstop = new Date(T0.getTime() + 40 * DAY);
    await t.uow.transaction((m) => t.scheduler.scheduleDocumentPurge(m, 'doc_1', backstop));
    const closedAt = new Date(T0.getTime() + 2 * DAY);

    const n = await t.uow.transaction((m) =>
      t.scheduler.scheduleCasePurge(m, { caseId: 'cc_1', deadline: null }, closedAt),
    );

    expect(n).toBe(2);
    const due = new Date(closedAt.getTime() + PURGE_AFTER_DAYS * DAY);
    expect(Object.fromEntries([...t.db.timers].map(([k, v]) => [k, v.dueAt]))).toEqual({
      'purge:doc_1': due,
      'purge:doc_2': due,
    });
    expect(t.db.timers.get('purge:doc_2')!.payload).toEqual({ documentId: 'doc_2' });
  });

  it('keeps the backstop when the case closed after its deadline (a purge never moves later)', async () => {
    const t = setup();
    t.documents.add(aDocument({ id: 'doc_1', submittedAt: T0 }));
    const deadline = new Date(T0.getTime() + 2 * DAY);
    const closedAt = new Date(T0.getTime() + 5 * DAY);
    await t.uow.transaction((m) => t.scheduler.scheduleCasePurge(m, { caseId: 'cc_1', deadline }, closedAt));
    expect(t.db.timers.get('purge:doc_1')!.dueAt).toEqual(
      new Date(deadline.getTime() + PURGE_AFTER_DAYS * DAY),
    );
  });

  it('schedules nothing for a case without live documents', async () => {
    const t = setup();
    expect(
      await t.uow.transaction((m) =>
        t.scheduler.scheduleCasePurge(m, { caseId: 'cc_1', deadline: null }, T0),
      ),
    ).toBe(0);
    expect(t.db.timers.size).toBe(0);
    expect(t.db.queries(/INSERT INTO timers/)).toEqual([]);
  });
});
