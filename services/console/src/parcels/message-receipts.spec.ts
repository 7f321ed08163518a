import { messageReceipts, withReceipts } from './message-receipts';
import type { MessageView } from './upstream-shapes';

const base: MessageView = {
  id: 'msg_1',
  taskId: 'ot_1',
  caseId: 'cc_1',
  parcelId: 'prc_0123456789abcdef0123456789abcdef',
  tenantId: 'ten_1',
  propertyId: 'prop_a',
  recipientRole: 'resident',
  templateRef: 'resident-documents-requested@1',
  language: 'zh',
  status: 'delivered',
  channel: 'email',
  channelPlan: ['sms', 'email'],
  attempts: 2,
  failedOverFrom: ['sms'],
  queuedAt: '2026-12-01T08:00:00.000Z',
  sentAt: '2026-12-01T08:06:00.000Z',
  deliveredAt: '2026-12-01T08:07:00.000Z',
  failedAt: null,
  lastErrorCode: null,
  attemptLog: [
    // the SMS was accepted, then its SmsReport failed it late: the failover to e-mail
    { attempt: 2, channel: 'email', startedAt: '2026-12-01T08:05:30.000Z', finishedAt: '2026-12-01T08:06:00.000Z', outcome: 'sent', errorCode: null, receipt: { outcome: 'delivered', code: '2.0.0', at: '2026-12-01T08:07:00.000Z' } },
    { attempt: 1, channel: 'sms', startedAt: '2026-12-01T08:00:30.000Z', finishedAt: '2026-12-01T08:01:00.000Z', outcome: 'sent', errorCode: null, receipt: { outcome: 'failed', code: 'MK:0001', at: '2026-12-01T08:05:00.000Z' } },
  ],
};

describe('messageReceipts', () => {
  it("lists each attempt's receipt, oldest attempt first, with its channel, outcome, code and time", () => {
    expect(messageReceipts(base)).toEqual([
      { attempt: 1, channel: 'sms', outcome: 'failed', code: 'MK:0001', at: '2026-12-01T08:05:00.000Z' },
      { attempt: 2, channel: 'email', outcome: 'delivered', code: '2.0.0', at: '2026-12-01T08:07:00.000Z' },
    ]);
  });

  it('gives none for attempts without a receipt (absent, null: older notification, no report yet)', () => {
    const msg: MessageView = {
      ...base,
      attemptLog: [
        { attempt: 1, channel: 'sms', startedAt: base.queuedAt, finishedAt: base.queuedAt, outcome: 'failed', errorCode: 'isv.MOBILE_NUMBER_ILLEGAL' },
        { attempt: 2, channel: 'email', startedAt: base.queuedAt, finishedAt: base.queuedAt, outcome: 'sent', errorCode: null, receipt: null },
      ],
    };
    expect(messageReceipts(msg)).toEqual([]);
    expect(withReceipts(msg)).toEqual({ ...msg, receipts: [] });
  });

  it('drops a code that is not a closed code (a diagnostic text could quote the address) but keeps the receipt', () => {
    const receipt = (code: string | null) => ({ ...base, attemptLog: [{ ...base.attemptLog[1]!, receipt: { outcome: 'failed' as const, code, at: '2026-12-01T08:05:00.000Z' } }] });
    expect(messageReceipts(receipt('550 5.1.1 <ouyang.mingzhe@example.cn>: Recipient address rejected'))).toEqual([
      { attempt: 1, channel: 'sms', outcome: 'failed', code: null, at: '2026-12-01T08:05:00.000Z' },
    ]);
    expect(messageReceipts(receipt(null))[0]?.code).toBeNull();
    for (const ok of ['DELIVERED', 'MK:0001', '5.1.1', 'isv.OUT_OF_SERVICE', 'SMS_DR_IC-1']) expect(messageReceipts(receipt(ok))[0]?.code).toBe(ok);
    for (const phone of ['13800138000', '+8613800138000', '0086-13800138000']) expect(messageReceipts(receipt(phone))[0]?.code).toBeNull();
  });

  it('skips a receipt with an unknown outcome or an unreadable time rather than guessing', () => {
    const odd = { ...base, attemptLog: [{ ...base.attemptLog[1]!, receipt: { outcome: 'bounced', code: null, at: '2026-12-01T08:05:00.000Z' } as never }, { ...base.attemptLog[0]!, receipt: { outcome: 'delivered' as const, code: null, at: 'soon' } }] };
    expect(messageReceipts(odd)).toEqual([]);
  });
});
