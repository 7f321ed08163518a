import { DomainError } from '@portico/service-kit';
import { ZodError } from 'zod';
import {
  BULK_REDRIVE_MAX,
  failedMessagesQuery,
  noteDropped,
  parseBulkRedriveFilter,
  redriveRefusal,
  tallyRedrives,
  type RedriveCandidate,
} from './failed-messages';

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

describe('bulk re-drive filter', () => {
  const refusedWith = (body: unknown): DomainError => {
    try {
      parseBulkRedriveFilter(body);
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
    throw new Error('the filter was accepted');
  };

  it('needs a tenant, with a code and both languages of its own', () => {
    for (const body of [undefined, {}, { tenantId: '' }, { tenantId: '   ' }, { channel: 'email' }]) {
      const e = refusedWith(body);
      expect(e).toMatchObject({ code: 'redrive_tenant_required', status: 400 });
      expect(e.localized.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(e.localized.en).toContain('tenantId');
    }
  });

  it('defaults the limit to 100 and takes every filter', () => {
    expect(parseBulkRedriveFilter({ tenantId: 'ten_1' })).toEqual({ tenantId: 'ten_1', limit: 100 });
    expect(
      parseBulkRedriveFilter({
        tenantId: 'ten_1',
        since: '2026-12-01T00:00:00+08:00',
        until: '2026-12-02T00:00:00Z',
        channel: 'email',
        errorCode: 'DSN_5.1.1',
        limit: BULK_REDRIVE_MAX,
      }),
    ).toEqual({
      tenantId: 'ten_1',
      since: new Date('2026-11-30T16:00:00Z'),
      until: new Date('2026-12-02T00:00:00Z'),
      channel: 'email',
      errorCode: 'DSN_5.1.1',
      limit: BULK_REDRIVE_MAX,
    });
  });

  it('refuses an empty or reversed time window', () => {
    const at = '2026-12-01T00:00:00Z';
    expect(refusedWith({ tenantId: 't', since: at, until: at }).code).toBe('redrive_window_invalid');
    expect(refusedWith({ tenantId: 't', since: '2026-12-02T00:00:00Z', until: at }).code).toBe(
      'redrive_window_invalid',
    );
    expect(
      parseBulkRedriveFilter({ tenantId: 't', since: at, until: '2026-12-01T00:00:00.001Z' }).limit,
    ).toBe(100);
  });

  it('refuses more than the most one call may queue, naming the maximum', () => {
    const e = refusedWith({ tenantId: 't', limit: BULK_REDRIVE_MAX + 1 });
    expect(e).toMatchObject({ code: 'redrive_limit_exceeded', details: { maxMessages: BULK_REDRIVE_MAX } });
    expect(e.localized.zh).toContain(String(BULK_REDRIVE_MAX));
  });

  it('answers a wrong shape as validation issues by path, never quoting the value', () => {
    const phone = '13912345678';
    for (const [body, path] of [
      [{ tenantId: 't', channel: 'fax' }, 'channel'],
      [{ tenantId: 't', since: 'yesterday' }, 'since'],
      [{ tenantId: 't', since: '2026-12-01T00:00:00' }, 'since'], // no offset: which day is ambiguous
      [{ tenantId: 't', errorCode: 'DSN 5.1.1 <a@b.c>' }, 'errorCode'],
      [{ tenantId: 't', limit: 0 }, 'limit'],
      [{ tenantId: 't', limit: '10' }, 'limit'],
      [{ tenantId: 't', status: 'failed' }, ''],
      [{ tenantId: 't', phone }, ''],
    ] as const) {
      let error: unknown;
      try {
        parseBulkRedriveFilter(body);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ZodError);
      expect((error as ZodError).issues.map((i) => i.path.join('.'))).toContain(path);
      expect(JSON.stringify((error as ZodError).issues.map((i) => i.message))).not.toContain(phone);
    }
  });
});

describe('deciding a batch of re-drives', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const base: RedriveCandidate = {
    id: 'msg_a',
    status: 'failed',
    taskId: 'ot_1',
    parcelId: 'prc_1',
    lastErrorCode: 'DSN_5.1.1',
    taskState: 'open',
    deadline: new Date('2026-12-04T00:00:00Z'),
    hadNote: false,
    hasNote: false,
  };

  it('counts every outcome with the single re-drive’s rule and lists what it queues', () => {
    const tally = tallyRedrives(
      [
        base,
        { ...base, id: 'msg_b', status: 'queued' },
        { ...base, id: 'msg_c', taskState: 'closed' },
        { ...base, id: 'msg_d', deadline: now },
        { ...base, id: 'msg_e', taskId: null, taskState: null, deadline: null },
      ],
      now,
    );
    expect(tally).toEqual({
      counts: { queued: 2, not_failed: 1, task_closed: 1, deadline_passed: 1 },
      queued: ['msg_a', 'msg_e'],
      noteDropped: [],
    });
    expect(tallyRedrives([], now).counts).toEqual({
      queued: 0,
      not_failed: 0,
      task_closed: 0,
      deadline_passed: 0,
    });
  });

  it('says which queued messages go without the steward’s note (window ended), not the refused ones', () => {
    const tally = tallyRedrives(
      [
        { ...base, id: 'msg_kept', hadNote: true, hasNote: true },
        { ...base, id: 'msg_gone', hadNote: true, hasNote: false },
        { ...base, id: 'msg_none' },
        { ...base, id: 'msg_closed', taskState: 'closed', hadNote: true, hasNote: false },
      ],
      now,
    );
    expect(tally.queued).toEqual(['msg_kept', 'msg_gone', 'msg_none']);
    expect(tally.noteDropped).toEqual(['msg_gone']);
    expect(noteDropped({ hadNote: false, hasNote: false })).toBe(false);
  });
});
