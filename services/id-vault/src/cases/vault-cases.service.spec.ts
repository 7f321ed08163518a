import { RetentionScheduler } from '../retention/retention-scheduler';
import { hashSecret } from '../shared/secret-token';
import { aCase, aDocument, aRequest, DAY, T0, vaultFakes } from '../test-support/vault-fakes';
import { VaultCasesService } from './vault-cases.service';

const PURGE_AFTER_DAYS = 7;

function setup() {
  const f = vaultFakes();
  f.db.on(/SELECT id, submitted_at FROM documents WHERE case_id = \$1 AND status <> 'purged'/, (p) =>
    f.documents
      .values()
      .filter((d) => d.caseId === p[0] && d.status !== 'purged')
      .map((d) => ({ id: d.id, submitted_at: d.submittedAt })),
  );
  const service = new VaultCasesService(
    f.cases,
    f.requests,
    new RetentionScheduler(PURGE_AFTER_DAYS),
    f.logger,
  );
  f.cases.add(aCase());
  return { ...f, service };
}

describe('VaultCasesService.closed', () => {
  it('closes the case, revokes its open link and schedules every live document’s purge at closedAt + days', async () => {
    const t = setup();
    t.requests.add(aRequest({ id: 'ur_open' }), hashSecret('a'));
    t.requests.add(aRequest({ id: 'ur_used', status: 'submitted' }), hashSecret('b'));
    t.documents.add(aDocument({ id: 'doc_1', status: 'approved' }));
    t.documents.add(aDocument({ id: 'doc_2', status: 'relayed' }));
    t.documents.add(aDocument({ id: 'doc_3', status: 'purged' }));
    const closedAt = new Date(T0.getTime() + 3 * DAY);

    const outcome = await t.uow.transaction((m) => t.service.closed(m, 'cc_1', 'cleared', closedAt));

    expect(outcome).toBe('closed');
    expect(t.cases.rows.get('cc_1')).toMatchObject({ state: 'closed', closedAt });
    expect(t.requests.get('ur_open').status).toBe('revoked');
    expect(t.requests.get('ur_used').status).toBe('submitted');
    const due = new Date(closedAt.getTime() + PURGE_AFTER_DAYS * DAY);
    expect([...t.db.timers.keys()].sort()).toEqual(['purge:doc_1', 'purge:doc_2']);
    for (const timer of t.db.timers.values()) expect(timer.dueAt).toEqual(due);
  });

  it('does nothing the second time (a redelivered closing event)', async () => {
    const t = setup();
    t.documents.add(aDocument());
    await t.uow.transaction((m) => t.service.closed(m, 'cc_1', 'cleared', T0));
    t.db.timers.clear();
    const again = await t.uow.transaction((m) =>
      t.service.closed(m, 'cc_1', 'expired', new Date(T0.getTime() + DAY)),
    );
    expect(again).toBe('already_closed');
    expect(t.db.timers.size).toBe(0);
    expect(t.cases.rows.get('cc_1')!.closedAt).toEqual(T0);
  });

  it('answers already_closed for a case it never saw', async () => {
    const t = setup();
    expect(await t.uow.transaction((m) => t.service.closed(m, 'cc_unknown', 'cancelled', T0))).toBe(
      'already_closed',
    );
  });

  // Regression tests of bugs found by these specs (fixed on 2026-12-02).
  it('never moves a pending backstop purge later when the case closes after its deadline', async () => {
    const t = setup();
    t.cases.add(aCase({ deadline: new Date(T0.getTime() + 2 * DAY) }));
    t.documents.add(aDocument({ id: 'doc_1', status: 'approved' }));
    const backstop = new Date(T0.getTime() + (2 + PURGE_AFTER_DAYS) * DAY); // deadline + retention
    await t.uow.transaction((m) =>
      new RetentionScheduler(PURGE_AFTER_DAYS).scheduleDocumentPurge(m, 'doc_1', backstop),
    );
    const closedAt = new Date(T0.getTime() + 5 * DAY); // cleared late, backstop still pending

    await t.uow.transaction((m) => t.service.closed(m, 'cc_1', 'cleared', closedAt));

    expect(t.db.timers.get('purge:doc_1')!.dueAt.getTime()).toBeLessThanOrEqual(backstop.getTime());
  });
});
