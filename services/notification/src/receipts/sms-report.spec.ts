import { beijingTime, smsReportBatchSchema, toSmsReports } from './sms-report';

const report = {
  phone_number: '13912345678',
  send_time: '2026-12-03 20:00:00',
  report_time: '2026-12-03 20:00:03',
  success: false,
  err_code: 'MK:0001',
  err_msg: '用户接收失败',
  sms_size: '1',
  biz_id: '1764763200000^abc',
  out_id: 'msg_0123456789abcdef0123456789abcdef',
};

describe('SmsReport (HTTP batch push)', () => {
  it('keeps ids, outcome, carrier code and time; drops the phone number and the text', () => {
    const [r] = toSmsReports(smsReportBatchSchema.parse([report]));
    expect(r).toEqual({
      bizId: '1764763200000^abc',
      messageId: 'msg_0123456789abcdef0123456789abcdef',
      receipt: { outcome: 'failed', code: 'MK:0001' },
      reportedAt: new Date('2026-12-03T12:00:03Z'),
    });
    expect(JSON.stringify(r)).not.toContain('13912345678');
  });

  it('reads success as delivered, also when sent as a string', () => {
    const [r] = toSmsReports(
      smsReportBatchSchema.parse([{ ...report, success: 'true', err_code: 'DELIVERED' }]),
    );
    expect(r!.receipt).toEqual({ outcome: 'delivered', code: 'DELIVERED' });
  });

  it('refuses an empty batch, a report without biz_id and a non-array body', () => {
    expect(smsReportBatchSchema.safeParse([]).success).toBe(false);
    expect(smsReportBatchSchema.safeParse([{ ...report, biz_id: '' }]).success).toBe(false);
    expect(smsReportBatchSchema.safeParse(report).success).toBe(false);
  });

  it('reads the report time as Beijing time', () => {
    expect(beijingTime('2017-01-01 00:00:00')).toEqual(new Date('2016-12-31T16:00:00Z'));
    expect(beijingTime('01/01/2017')).toBeNull();
    expect(beijingTime(undefined)).toBeNull();
  });
});
