// A real SMTP server for tests (smtp-server), parsing what it receives with mailparser. Not a
// simulator of a provider: it speaks SMTP as any relay does, and can be told to refuse a recipient
// permanently (550) or temporarily (451).
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { FailurePlan } from './failure-plan';

export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  readonly headers: Map<string, unknown>;
}

export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  readonly failures = new FailurePlan<{ code: 451 | 550 | 552; message: string }>();
  /** Mailboxes that do not exist: every RCPT TO them is refused with 550, whatever else is planned. */
  readonly unknownMailboxes = new Set<string>();
  private server: SMTPServer | null = null;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.unknownMailboxes.has(address.address))
          return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
        const failure = this.failures.next();
        if (!failure) return callback();
        const err = Object.assign(new Error(failure.message), { responseCode: failure.code });
        return callback(err);
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              messageId: mail.messageId ?? '',
              headers: mail.headers as Map<string, unknown>,
            });
            callback();
          })
          .catch((e: Error) => callback(e));
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server as unknown as { server: { address(): AddressInfo } }).server.address().port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
