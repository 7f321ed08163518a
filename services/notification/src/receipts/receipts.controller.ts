import { createHash, timingSafeEqual } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { Access } from '@portico/auth';
import type { NotificationConfig } from '../config';
import { NOTIFICATION_CONFIG } from '../shared/tokens';
import { NotADsnError, parseDsn } from './dsn';
import {
  NotADsnBodyError,
  ReceiptsNotConfiguredError,
  ReceiptTokenInvalidError,
  UnknownMessageError,
} from './receipt-errors';
import { ReceiptsMetrics, type ReceiptSource } from './receipts.metrics';
import { ReceiptsService, type ReceiptAnswer } from './receipts.service';
import { smsReportBatchSchema, toSmsReports } from './sms-report';

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Delivery receipts pushed to us. Neither Alibaba Cloud's SmsReport push nor a relay's bounce
 * forwarding signs its requests, so each receiving URL carries a secret of its own
 * (SMS_REPORT_TOKEN, EMAIL_DSN_TOKEN: 32 random bytes, base64url), the one thing the provider's
 * console is given. That shape is what the request log and spans already replace by `:secret`.
 */
@Controller('v1/receipts')
export class ReceiptsController {
  constructor(
    private readonly receipts: ReceiptsService,
    private readonly metrics: ReceiptsMetrics,
    @Inject(NOTIFICATION_CONFIG) private readonly config: NotificationConfig,
  ) {}

  private authenticate(source: ReceiptSource, token: string): void {
    const [setting, expected] =
      source === 'sms_report'
        ? ['SMS_REPORT_TOKEN', this.config.smsReportToken]
        : ['EMAIL_DSN_TOKEN', this.config.emailDsnToken];
    if (!expected) throw new ReceiptsNotConfiguredError(setting);
    if (!sameSecret(token, expected)) {
      this.metrics.received(source, 'unauthorized');
      throw new ReceiptTokenInvalidError();
    }
  }

  /**
   * Alibaba Cloud SmsReport (HTTP batch push): a JSON array of reports. Answered 200 with the
   * `{"code": 0}` the platform checks, and per report what it did (`unknown_message` for a BizId /
   * OutId we never sent: answering an error would only make the platform push it three more times).
   */
  @Post('sms/:token')
  @HttpCode(200)
  @Access.public()
  async smsReports(
    @Param('token') token: string,
    @Body() body: unknown,
  ): Promise<{ code: 0; msg: string; results: ReceiptAnswer[] }> {
    this.authenticate('sms_report', token);
    const reports = toSmsReports(smsReportBatchSchema.parse(body));
    return { code: 0, msg: '接收成功', results: await this.receipts.onSmsReports(reports) };
  }

  /** A bounce or DSN, posted as the raw mail (`Content-Type: message/rfc822`). */
  @Post('email/:token')
  @HttpCode(200)
  @Access.public()
  async emailDsn(@Param('token') token: string, @Body() body: unknown): Promise<ReceiptAnswer> {
    this.authenticate('email_dsn', token);
    if (!Buffer.isBuffer(body) || body.length === 0)
      throw new NotADsnBodyError('content_type_message_rfc822_expected');
    let dsn;
    try {
      dsn = await parseDsn(body);
    } catch (e) {
      if (e instanceof NotADsnError) throw new NotADsnBodyError(e.reason);
      throw e;
    }
    const answer = await this.receipts.onDsn(dsn);
    if (answer.result === 'unknown_message')
      throw new UnknownMessageError(dsn.messageId ? 'message_not_found' : 'no_portico_message_id');
    return answer;
  }
}
