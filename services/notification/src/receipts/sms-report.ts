import { z } from 'zod';
import type { Receipt } from './receipt-rules';

/*
 * Alibaba Cloud SMS delivery reports (SmsReport), "HTTP batch push" mode: the platform POSTs a JSON
 * array of reports (single and batch sends alike, several reports per request) to the receiving
 * URL configured in the SMS console, and expects HTTP 200 with `{"code": 0, "msg": "…"}` (only a
 * numeric `code` is checked); any other status or a timeout is pushed again after 1, 5 and 10
 * minutes, then dropped. Fields (help.aliyun.com, "SmsReport" / document 101867): phone_number,
 * send_time, report_time ("yyyy-MM-dd HH:mm:ss", Beijing time), success (bool), err_code
 * (`DELIVERED` on success, the carrier's code otherwise), err_msg, sms_size, biz_id (SendSms'
 * BizId), out_id (SendSms' OutId: our message id). The push carries no signature: the receiving
 * URL holds our secret (see ReceiptsController).
 *
 * The phone number and err_msg are personal data / free text: they are parsed away here and go
 * nowhere (no column, log, span or error message).
 */

const text = (max: number) => z.string().max(max);

export const smsReportSchema = z.object({
  biz_id: text(100).min(1),
  out_id: text(100).default(''),
  success: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]),
  err_code: text(64).default(''),
  report_time: text(40).optional(),
  // Accepted and thrown away (personal data and free text).
  phone_number: z.unknown().optional(),
  err_msg: z.unknown().optional(),
  send_time: z.unknown().optional(),
  sms_size: z.unknown().optional(),
});

export const smsReportBatchSchema = z.array(smsReportSchema).min(1).max(1_000);

export interface SmsReport {
  /** SendSms' BizId, the attempt's provider id. */
  readonly bizId: string;
  /** SendSms' OutId: our message id (empty for sends that did not set one). */
  readonly messageId: string;
  readonly receipt: Receipt;
  readonly reportedAt: Date | null;
}

/** "2017-01-01 00:00:00" in Beijing time (the console's and the carriers' clock). */
export function beijingTime(value: string | undefined): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value ?? '');
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function toSmsReports(batch: z.output<typeof smsReportBatchSchema>): SmsReport[] {
  return batch.map((r) => ({
    bizId: r.biz_id,
    messageId: r.out_id,
    receipt: {
      outcome: r.success ? 'delivered' : 'failed',
      code: r.err_code ? r.err_code.replace(/[^A-Za-z0-9_.:-]/g, '_') : null,
    },
    reportedAt: beijingTime(r.report_time),
  }));
}
