import { failedMessagesQuery, redriveRefusal } from './failed-messages';

describe('re-driving a failed message', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const open = { status: 'failed', taskState: 'open', deadline: new Date('2026-12-04T00:00:00Z') };

  it('allows a failed message of an active task before its deadline, or without a task', () => {
    expect(redriveRefusal(open, now)).toBeNull();
    expect(redriveRefusal({ ...open, taskState: 'acknowledged' }, now)).toBeNull();
    expect(redriveRefusal({ status: 'failed', taskState: null, deadline: null }, now)).toBeNull();
  });

  it('refuses what is not failed (so a second re-drive queues nothing more)', () => {
    for (const status of ['queued', 'sending', 'sent', 'delivered', 'cancelled'])
      expect(redriveRefusal({ ...open, status }, now)).toBe('not_failed');
  });

  it('refuses a closed task’s message and one whose deadline has passed, at the deadline itself too', () => {
    expect(redriveRefusal({ ...open, taskState: 'closed' }, now)).toBe('task_closed');
    expect(redriveRefusal({ ...open, deadline: now }, now)).toBe('deadline_passed');
  });
});

describe('failed-message list query', () => {
  it('defaults the limit, bounds it and refuses unknown keys', () => {
    expect(failedMessagesQuery.parse({})).toEqual({ limit: 50 });
    expect(failedMessagesQuery.safeParse({ limit: '201' }).success).toBe(false);
    expect(failedMessagesQuery.safeParse({ parcelId: 'x' }).success).toBe(false);
    expect(failedMessagesQuery.parse({ since: '2026-12-01T00:00:00Z' }).since).toEqual(
      new Date('2026-12-01T00:00:00Z'),
    );
  });
});
