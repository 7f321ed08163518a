import {
  NOTICE_USEFUL_FOR_MS,
  receiptEffect,
  receiptErrorCode,
  stillUseful,
  type ReceiptTarget,
} from './receipt-rules';

const sentOnSms: ReceiptTarget = {
  status: 'sent',
  channelPlan: ['sms', 'email'],
  channelIndex: 0,
  providerMessageId: 'biz-1',
  receiptProviderId: 'biz-1',
  attemptHasReceipt: false,
};
const delivered = { outcome: 'delivered', code: 'DELIVERED' } as const;
const failed = { outcome: 'failed', code: 'MK:0001' } as const;

describe('receiptEffect', () => {
  it('delivers the message the receipt’s attempt stands for', () => {
    expect(receiptEffect(sentOnSms, delivered, true)).toEqual({ effect: 'delivered' });
  });

  it('fails a late failure over to the next channel while the message is still useful', () => {
    expect(receiptEffect(sentOnSms, failed, true)).toEqual({
      effect: 'failover',
      channelIndex: 1,
      channel: 'email',
    });
  });

  it('fails the message for good when it is no longer useful or no channel is left', () => {
    expect(receiptEffect(sentOnSms, failed, false)).toEqual({ effect: 'failed' });
    expect(receiptEffect({ ...sentOnSms, channelIndex: 1 }, failed, true)).toEqual({ effect: 'failed' });
  });

  it('only notes receipts about attempts the message no longer stands on', () => {
    // Another attempt (a resend of the same message after a failover) is what the message stands on now.
    expect(receiptEffect({ ...sentOnSms, providerMessageId: 'biz-2' }, failed, true)).toEqual({
      effect: 'recorded',
    });
    // The message moved on (queued again, failed, delivered).
    for (const status of ['queued', 'sending', 'failed', 'delivered', 'cancelled'] as const)
      expect(receiptEffect({ ...sentOnSms, status }, delivered, true)).toEqual({ effect: 'recorded' });
    // A second receipt for the same attempt (delivered after a failure report) changes nothing.
    expect(receiptEffect({ ...sentOnSms, attemptHasReceipt: true }, delivered, true)).toEqual({
      effect: 'recorded',
    });
  });
});

describe('stillUseful', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

  it('is useful while the task is open and its deadline ahead', () => {
    expect(
      stillUseful(
        { taskState: 'open', deadline: new Date(now.getTime() + 60_000), queuedAt: hoursAgo(30) },
        now,
      ),
    ).toBe(true);
    expect(stillUseful({ taskState: 'acknowledged', deadline: null, queuedAt: hoursAgo(30) }, now)).toBe(
      true,
    );
  });

  it('is not useful once the task closed or the deadline passed (at the deadline itself too)', () => {
    expect(stillUseful({ taskState: 'closed', deadline: null, queuedAt: now }, now)).toBe(false);
    expect(stillUseful({ taskState: 'open', deadline: now, queuedAt: now }, now)).toBe(false);
  });

  it('gives task-less notices a day', () => {
    const justInside = new Date(now.getTime() - NOTICE_USEFUL_FOR_MS);
    expect(stillUseful({ taskState: null, deadline: null, queuedAt: justInside }, now)).toBe(true);
    expect(
      stillUseful({ taskState: null, deadline: null, queuedAt: new Date(justInside.getTime() - 1) }, now),
    ).toBe(false);
  });
});

describe('receiptErrorCode', () => {
  it('keeps the provider code in the channel’s closed alphabet', () => {
    expect(receiptErrorCode('SMS_DR', 'MK:0001')).toBe('SMS_DR_MK:0001');
    expect(receiptErrorCode('DSN', '5.1.1')).toBe('DSN_5.1.1');
    expect(receiptErrorCode('DSN', null)).toBe('DSN_UNKNOWN');
    expect(receiptErrorCode('SMS_DR', 'a b<c>')).toBe('SMS_DR_a_b_c_');
  });
});
