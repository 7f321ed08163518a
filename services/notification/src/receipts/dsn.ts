import { simpleParser } from 'mailparser';
import type { Receipt } from './receipt-rules';

/*
 * E-mail bounces as delivery status notifications (RFC 3464): a `multipart/report;
 * report-type=delivery-status` mail whose `message/delivery-status` part has one block of fields
 * per recipient (Action: failed | delayed | delivered | relayed | expanded, Status: 5.1.1, …), and
 * whose third part returns the original message or its headers (text/rfc822-headers or
 * message/rfc822). The relay (Postfix, a provider's inbound webhook) posts the bounce as it
 * received it; we parse it with `mailparser` (`keepDeliveryStatus`, so the status part stays a part
 * of its own, `ignoreEmbedded`, so a returned message is not parsed into the bounce's text).
 *
 * The bounce is matched to our message by the Message-ID the SMTP channel gives every message
 * (`<msg_…@portico.notification>`, also in `X-Portico-Message-Id`). Only Action and Status are
 * kept: Final-Recipient (the address) and Diagnostic-Code (free text quoting the address) are
 * read past and dropped.
 */

export interface Dsn {
  /** Our message id, from the returned headers; null when the bounce is not about one of ours. */
  readonly messageId: string | null;
  /** null: the report says nothing final (`delayed`, `relayed`, `expanded`: the relay keeps trying). */
  readonly receipt: Receipt | null;
  /** The bounce's own Message-ID, for idempotency when the relay posts it twice (never logged). */
  readonly reportId: string | null;
  readonly arrivalDate: Date | null;
}

export class NotADsnError extends Error {
  constructor(readonly reason: 'not_multipart_report' | 'no_delivery_status') {
    super(reason);
    this.name = 'NotADsnError';
  }
}

const OUR_MESSAGE_ID = /<(msg_[0-9a-f]{32})@portico\.notification>/i;
const OUR_HEADER = /^X-Portico-Message-Id:\s*(msg_[0-9a-f]{32})\s*$/im;

/** The per-recipient field blocks of a message/delivery-status body (blocks split by blank lines). */
export function deliveryStatusFields(body: string): {
  perMessage: Map<string, string>;
  recipients: Map<string, string>[];
} {
  // Folded lines (continuations start with white space) belong to the field before them.
  const unfolded = body.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  const blocks = unfolded
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter(Boolean)
    .map((b) => {
      const fields = new Map<string, string>();
      for (const line of b.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      return fields;
    });
  const [perMessage = new Map<string, string>(), ...recipients] = blocks;
  return { perMessage, recipients };
}

/**
 * The receipt a DSN amounts to for our one recipient (we send every message to one address):
 * `failed` wins over `delivered` if a relay reported both; `delayed` and the like are no receipt.
 */
export function receiptOfFields(recipients: readonly Map<string, string>[]): Receipt | null {
  let delivered: Receipt | null = null;
  for (const r of recipients) {
    const action = (r.get('action') ?? '').toLowerCase();
    const status = /^\d\.\d{1,3}\.\d{1,3}/.exec(r.get('status') ?? '')?.[0] ?? null;
    if (action === 'failed') return { outcome: 'failed', code: status };
    if (action === 'delivered') delivered = { outcome: 'delivered', code: status };
  }
  return delivered;
}

export async function parseDsn(raw: Buffer): Promise<Dsn> {
  const mail = await simpleParser(raw, { keepDeliveryStatus: true, ignoreEmbedded: true });
  const type = mail.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value?.toLowerCase() !== 'multipart/report') throw new NotADsnError('not_multipart_report');
  const status = mail.attachments.find((a) =>
    ['message/delivery-status', 'message/global-delivery-status'].includes(a.contentType.toLowerCase()),
  );
  if (!status) throw new NotADsnError('no_delivery_status');
  const { perMessage, recipients } = deliveryStatusFields(status.content.toString('utf8'));
  const returned = mail.attachments
    .filter((a) =>
      ['text/rfc822-headers', 'message/rfc822', 'message/global-headers'].includes(
        a.contentType.toLowerCase(),
      ),
    )
    .map((a) => a.content.toString('utf8'))
    .join('\n');
  const messageId =
    (OUR_HEADER.exec(returned)?.[1] ?? OUR_MESSAGE_ID.exec(returned)?.[1])?.toLowerCase() ?? null;
  const arrival = perMessage.get('arrival-date');
  const arrivalDate = arrival ? new Date(arrival) : null;
  return {
    messageId,
    receipt: receiptOfFields(recipients),
    reportId: typeof mail.messageId === 'string' ? mail.messageId : null,
    arrivalDate: arrivalDate && !Number.isNaN(arrivalDate.getTime()) ? arrivalDate : null,
  };
}
