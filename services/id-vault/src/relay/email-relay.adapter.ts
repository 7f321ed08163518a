import { smtpTransportOptions, type SmtpRelaySettings } from '@portico/service-kit';
import { createTransport, type Transporter } from 'nodemailer';
import { RelayAdapter, RelayDeliveryError, type RelayNotice } from './relay-adapter';
import type { EmailDestination } from './relay-destination';
import { composeRelayEmail } from './relay-email';

export interface EmailRelaySettings extends SmtpRelaySettings {
  /** STARTTLS required (or implicit TLS): the mail holds a grant link. Off only for a local test sink. */
  readonly requireTls: boolean;
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
    this.transport = createTransport(smtpTransportOptions(settings));
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
