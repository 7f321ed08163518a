import type { PersonPrincipal } from '@portico/auth';
import type { OutreachEvent } from '@portico/contracts';
import { notification } from '@portico/contracts';
import type { OutreachTask } from '../outreach/outreach-task';
import type { QueueEntry } from './front-desk-queue.repository';
import { FrontDeskService } from './front-desk.service';

// The dismissal's orchestration with the repositories, outbox, metrics and logger mocked (the
// boundaries); SQL and Kafka are covered by front-desk-dismiss.int-spec.ts.

const NOW = new Date('2026-12-04T10:00:00Z');
const NOTE = '王小明说不认识收件人 13800001111';

const entry = (over: Partial<QueueEntry> = {}): QueueEntry => ({
  id: 'fdq_1',
  tenantId: 'ten_1',
  propertyId: 'p1',
  parcelId: 'par_1',
  caseId: 'case_1',
  carrierCode: 'sf',
  trackingNumber: 'SF1',
  hintUnit: '3-101',
  reason: 'no_resident',
  state: 'open',
  createdAt: NOW,
  request: null,
  linkedResidentId: null,
  linkedBy: null,
  linkedAt: null,
  dismissal: null,
  ...over,
});

const task = {
  id: 'tsk_1',
  tenantId: 'ten_1',
  propertyId: 'p1',
  caseId: 'case_1',
  parcelId: 'par_1',
} as OutreachTask;
const steward: PersonPrincipal = {
  kind: 'person',
  subject: 'user-st',
  roles: ['steward'],
  tenantId: 'ten_1',
  propertyIds: ['p1'],
};

function setup(found: QueueEntry | undefined, closed: OutreachTask[] = [task]) {
  const m = {};
  const queue = { findForUpdate: jest.fn().mockResolvedValue(found), markDismissed: jest.fn() };
  const tasks = { closeOpenOfCase: jest.fn().mockResolvedValue(closed) };
  const outbox = { appendMany: jest.fn() };
  const metrics = { frontDeskDismissed: jest.fn() };
  const log = { info: jest.fn() };
  const service = new FrontDeskService(
    { transaction: (fn: (x: unknown) => unknown) => fn(m) } as never,
    queue as never,
    {} as never,
    {} as never,
    tasks as never,
    {} as never,
    outbox as never,
    metrics as never,
    () => NOW,
    { child: () => log } as never,
  );
  return { service, queue, tasks, outbox, metrics, log };
}

describe('FrontDeskService.dismiss', () => {
  it('marks the entry dismissed, closes the unmatched task CANCELLED by the caller, counts and logs without the note', async () => {
    const s = setup(entry());
    const answer = await s.service.dismiss(steward, 'fdq_1', { reason: 'duplicate', note: NOTE });

    expect(answer).toEqual({
      entryId: 'fdq_1',
      parcelId: 'par_1',
      state: 'dismissed',
      reason: 'duplicate',
      closedTaskIds: ['tsk_1'],
    });
    expect(s.queue.markDismissed).toHaveBeenCalledWith(expect.anything(), 'fdq_1', {
      reason: 'duplicate',
      note: NOTE,
      by: 'user-st',
      at: NOW,
    });
    expect(s.tasks.closeOpenOfCase).toHaveBeenCalledWith(expect.anything(), 'case_1', 'cancelled', NOW, {
      kinds: ['unmatched_parcel'],
    });
    const [[, events]] = s.outbox.appendMany.mock.calls as [
      [unknown, { key: string; message: OutreachEvent }[]],
    ];
    expect(events).toHaveLength(1);
    expect(events[0]!.key).toBe('par_1');
    expect(events[0]!.message.event).toMatchObject({
      case: 'taskClosed',
      value: { taskId: 'tsk_1', closedById: 'user-st', resolution: notification.TaskResolution.CANCELLED },
    });
    expect(s.metrics.frontDeskDismissed).toHaveBeenCalledWith('duplicate');
    expect(s.log.info).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(s.log.info.mock.calls)).not.toContain(NOTE);
  });

  it('closes nothing and emits nothing for an entry without a case', async () => {
    const s = setup(entry({ caseId: null }));
    const answer = await s.service.dismiss(steward, 'fdq_1', { reason: 'other', note: null });
    expect(answer.closedTaskIds).toEqual([]);
    expect(s.tasks.closeOpenOfCase).not.toHaveBeenCalled();
    expect(s.outbox.appendMany).toHaveBeenCalledWith(expect.anything(), []);
  });

  it('refuses a dismissed or linked entry with its 409 and changes nothing', async () => {
    for (const [state, code] of [
      ['dismissed', 'front_desk_entry_dismissed'],
      ['linked', 'front_desk_entry_closed'],
    ] as const) {
      const s = setup(entry({ state }));
      await expect(
        s.service.dismiss(steward, 'fdq_1', { reason: 'other', note: null }),
      ).rejects.toMatchObject({
        status: 409,
        code,
      });
      expect(s.queue.markDismissed).not.toHaveBeenCalled();
      expect(s.metrics.frontDeskDismissed).not.toHaveBeenCalled();
    }
  });

  it("answers 404 for a missing entry and for another tenant's or property's", async () => {
    for (const found of [undefined, entry({ tenantId: 'ten_2' }), entry({ propertyId: 'p2' })]) {
      const s = setup(found);
      await expect(
        s.service.dismiss(steward, 'fdq_1', { reason: 'other', note: null }),
      ).rejects.toMatchObject({
        status: 404,
        code: 'front_desk_entry_not_found',
      });
      expect(s.queue.markDismissed).not.toHaveBeenCalled();
    }
  });
});
