import { smtpTransportOptions, type SmtpRelaySettings } from '@portico/service-kit';
import { createTransport, type Transporter } from 'nodemailer';
import { failed, type Channel, type OutgoingOf, type SendResult } from './channel';

/** requireTls is off by default here: tests' local sink speaks plain SMTP; relays offer STARTTLS. */
export type SmtpSettings = SmtpRelaySettings;

/** Network trouble nodemailer reports without an SMTP reply: the server may answer later. */
const TRANSIENT = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED']);

/**
 * E-mail through an SMTP relay (nodemailer). "Sent" means the relay answered 250 to DATA: it
 * accepted the message for delivery. SMTP gives no synchronous delivery confirmation: a DSN or a
 * bounce may come later (`POST /v1/receipts/email/<token>`, src/receipts, matched on the
 * Message-ID below), so this channel itself never reports "delivered".
 */
export class SmtpChannel implements Channel<'email'> {
  readonly kind = 'email' as const;
  private readonly transport: Transporter;

  constructor(private readonly settings: SmtpSettings) {
    this.transport = createTransport(smtpTransportOptions(settings));
  }

  async send(message: OutgoingOf<'email'>): Promise<SendResult> {
    try {
      const info = (await this.transport.sendMail({
        from: this.settings.from,
        to: message.to,
        subject: message.content.subject,
        text: message.content.text,
        html: message.content.html,
        // Our id in the Message-ID header, so a bounce can be matched to the message later.
        messageId: `<${message.messageId}@portico.notification>`,
        headers: { 'X-Portico-Message-Id': message.messageId },
      })) as { messageId?: string; rejected?: unknown[] };
      if (Array.isArray(info.rejected) && info.rejected.length > 0)
        return failed('SMTP_RECIPIENT_REJECTED', false);
      return { ok: true, providerMessageId: info.messageId ?? message.messageId, delivered: false };
    } catch (e) {
      return classifySmtpError(e);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** 4xx replies are temporary by RFC 5321, 5xx permanent (bad mailbox, policy): fail over at once. */
export function classifySmtpError(e: unknown): SendResult {
  const err = e as { responseCode?: number; code?: string };
  if (typeof err.responseCode === 'number') {
    return failed(`SMTP_${err.responseCode}`, err.responseCode >= 400 && err.responseCode < 500);
  }
  if (err.code && TRANSIENT.has(err.code)) return failed(`SMTP_${err.code}`, true);
  if (err.code === 'EAUTH') return failed('SMTP_EAUTH', false);
  if (err.code === 'EENVELOPE') return failed('SMTP_EENVELOPE', false);
  return failed(err.code ? `SMTP_${err.code}` : 'SMTP_ERROR', true);
}
