import { Inject, Injectable } from '@nestjs/common';
import { Counter, METRICS_REGISTRY, type Registry } from '@portico/observability';

export type ReceiptSource = 'sms_report' | 'email_dsn';
/**
 * delivered / failover / failed: what the receipt did to the message; recorded: noted on an attempt
 * the message no longer stands on; duplicate: the same receipt again; unknown_message: not about a
 * message of ours; not_final: a DSN that only says "delayed"; unauthorized: wrong receiving URL.
 */
export type ReceiptResult =
  | 'delivered'
  | 'failover'
  | 'failed'
  | 'recorded'
  | 'duplicate'
  | 'unknown_message'
  | 'not_final'
  | 'unauthorized';

/** Receipt metrics; labels are closed enums, never ids, numbers or addresses. */
@Injectable()
export class ReceiptsMetrics {
  private readonly receipts: Counter<'source' | 'result'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.receipts = new Counter({
      name: 'portico_message_receipts_total',
      help: 'Delivery receipts (SMS reports, e-mail DSNs) by source and what they did',
      labelNames: ['source', 'result'] as const,
      registers: [registry],
    });
  }

  received(source: ReceiptSource, result: ReceiptResult): void {
    this.receipts.inc({ source, result });
  }
}
