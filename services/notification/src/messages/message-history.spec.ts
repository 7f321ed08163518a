import {
  messageHistoryQuery,
  toMessageView,
  type MessageAttemptRow,
  type MessageHistoryRow,
} from './message-history';

const at = (m: number) => new Date(Date.UTC(2026, 11, 1, 8, m));

const row = (over: Partial<MessageHistoryRow> = {}): MessageHistoryRow => ({
  id: 'msg_1',
  tenantId: 'ten_1',
  propertyId: 'prop_a',
  taskId: 'ot_1',
  caseId: 'case_1',
  parcelId: 'prc_0123456789abcdef0123456789abcdef',
  recipientRole: 'resident',
  templateId: 'resident-documents-requested',
  templateVersion: 1,
  language: 'zh',
  channelPlan: ['sms', 'email'],
  channelIndex: 0,
  attempt: 0,
  status: 'queued',
  lastErrorCode: null,
  createdAt: at(0),
  finishedAt: null,
  ...over,
});

const attempt = (
  n: number,
  channel: string,
  outcome: string,
  minute: number,
  errorCode: string | null = null,
): MessageAttemptRow => ({
  messageId: 'msg_1',
  attempt: n,
  channel,
  startedAt: at(minute),
  finishedAt: at(minute + 1),
  outcome,
  errorCode,
});

describe('message history view', () => {
  it('a queued message: its first channel, no times but the queueing', () => {
    expect(toMessageView(row(), [])).toMatchObject({
      status: 'queued',
      channel: 'sms',
      attempts: 0,
      failedOverFrom: [],
      queuedAt: at(0).toISOString(),
      sentAt: null,
      deliveredAt: null,
      failedAt: null,
      templateRef: 'resident-documents-requested@1',
    });
  });

  it('a failover then delivery: the channels given up on, sent at the accepting attempt, attempts in order', () => {
    const view = toMessageView(row({ channelIndex: 1, attempt: 3, status: 'delivered', finishedAt: at(9) }), [
      attempt(3, 'email', 'sent', 8),
      attempt(1, 'sms', 'failed', 1, 'isv.BUSINESS_LIMIT_CONTROL'),
      attempt(2, 'sms', 'failed', 4, 'isv.BUSINESS_LIMIT_CONTROL'),
    ]);
    expect(view).toMatchObject({
      channel: 'email',
      failedOverFrom: ['sms'],
      attempts: 3,
      sentAt: at(9).toISOString(),
      deliveredAt: at(9).toISOString(),
      failedAt: null,
    });
    expect(view.attemptLog.map((a) => `${a.attempt}:${a.channel}:${a.outcome}`)).toEqual([
      '1:sms:failed',
      '2:sms:failed',
      '3:email:sent',
    ]);
  });

  it('a final failure has its time and last code and no sent time', () => {
    expect(
      toMessageView(row({ attempt: 1, status: 'failed', finishedAt: at(2), lastErrorCode: 'smtp_550' }), [
        attempt(1, 'sms', 'failed', 1, 'smtp_550'),
      ]),
    ).toMatchObject({
      sentAt: null,
      failedAt: at(2).toISOString(),
      lastErrorCode: 'smtp_550',
    });
  });

  it('shows what a delivery receipt said about the attempt it was about', () => {
    const view = toMessageView(row({ channelIndex: 1, attempt: 2, status: 'failed', finishedAt: at(30) }), [
      { ...attempt(1, 'sms', 'sent', 1), receiptOutcome: 'failed', receiptCode: 'MK:0001', receiptAt: at(5) },
      {
        ...attempt(2, 'email', 'sent', 6),
        receiptOutcome: 'failed',
        receiptCode: '5.1.1',
        receiptAt: at(30),
      },
    ]);
    expect(view.attemptLog.map((a) => [a.outcome, a.receipt])).toEqual([
      ['sent', { outcome: 'failed', code: 'MK:0001', at: at(5).toISOString() }],
      ['sent', { outcome: 'failed', code: '5.1.1', at: at(30).toISOString() }],
    ]);
    expect(view.sentAt).toBe(at(2).toISOString());
    expect(view.failedAt).toBe(at(30).toISOString());
    expect(toMessageView(row(), [attempt(1, 'sms', 'sent', 1)]).attemptLog[0]!.receipt).toBeNull();
  });

  it('answers the recipient as a role only: no id, variables or note exist on the view', () => {
    const view = toMessageView(row(), []);
    expect(Object.keys(view).sort()).toEqual(
      [
        'id',
        'taskId',
        'caseId',
        'parcelId',
        'tenantId',
        'propertyId',
        'recipientRole',
        'templateRef',
        'language',
        'status',
        'channel',
        'channelPlan',
        'attempts',
        'failedOverFrom',
        'queuedAt',
        'sentAt',
        'deliveredAt',
        'failedAt',
        'lastErrorCode',
        'attemptLog',
      ].sort(),
    );
  });

  it('needs a parcel, case or task; refuses unknown keys and bad parcel ids', () => {
    expect(messageHistoryQuery.safeParse({}).success).toBe(false);
    expect(messageHistoryQuery.safeParse({ taskId: 'ot_1', recipientId: 'res_1' }).success).toBe(false);
    expect(messageHistoryQuery.safeParse({ parcelId: 'prc_x' }).success).toBe(false);
    expect(messageHistoryQuery.parse({ caseId: 'case_1' })).toEqual({ caseId: 'case_1', limit: 100 });
  });
});
