import { createTransport, type Transporter } from 'nodemailer';
import { RelayAdapter, RelayDeliveryError, type RelayNotice } from './relay-adapter';
import type { EmailDestination } from './relay-destination';
import { composeRelayEmail } from './relay-email';

export interface EmailRelaySettings {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  /** STARTTLS required (or implicit TLS): the mail holds a grant link. Off only for a local test sink. */
  readonly requireTls: boolean;
  readonly user?: string;
  readonly password?: string;
  readonly from: string;
  readonly timeoutMs: number;
}

/**
 * Relay to a clearance desk's mailbox (a customs broker or carrier without an API): one plain-text
 * e-mail per grant with its download links (relay-email.ts says why a link and not an attachment).
 * Accepted means the SMTP relay answered 250; the Message-ID is derived from the grant id, so a
 * retried send is recognisably the same message to the desk's mail system.
 */
export class EmailRelayAdapter extends RelayAdapter<EmailDestination> {
  readonly name = 'email';
  private readonly transport: Transporter;

  constructor(private readonly settings: EmailRelaySettings) {
    super();
    this.transport = createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: settings.requireTls,
      auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      // nodemailer would log envelopes and message bodies (the mailbox, the link) when asked to.
      logger: false,
      debug: false,
    });
  }

  async deliver(destination: EmailDestination, notice: RelayNotice): Promise<void> {
    const mail = composeRelayEmail(notice);
    let info: { rejected?: unknown[] };
    try {
      info = (await this.transport.sendMail({
        from: this.settings.from,
        to: destination.mailbox,
        subject: mail.subject,
        text: mail.text,
        messageId: `<${notice.grantId}@portico.id-vault>`,
        headers: { 'X-Portico-Grant-Id': notice.grantId, 'X-Portico-Case-Id': notice.caseId },
      })) as { rejected?: unknown[] };
    } catch (e) {
      // Only the SMTP code and nodemailer's error class: the server's reply text may quote the address.
      const err = e as { responseCode?: number; code?: string };
      const status = typeof err.responseCode === 'number' ? err.responseCode : null;
      throw new RelayDeliveryError(
        this.name,
        status,
        `relay e-mail failed: SMTP_${status ?? err.code ?? 'ERROR'}`,
      );
    }
    if (Array.isArray(info.rejected) && info.rejected.length > 0)
      throw new RelayDeliveryError(this.name, null, 'relay e-mail refused: recipient rejected');
  }

  close(): void {
    this.transport.close();
  }
}
