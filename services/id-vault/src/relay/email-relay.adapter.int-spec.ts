// The e-mail relay against a real SMTP server (@portico/testing's sink: smtp-server + mailparser),
// through nodemailer as in production: accepted, refused permanently (550) or for now (451), and
// refused by us when the server offers no TLS and TLS is required.
import { SmtpSink } from '@portico/testing/smtp';
import { RelayDeliveryError, type RelayNotice } from './relay-adapter';
import type { EmailDestination } from './relay-destination';
import { EmailRelayAdapter, type EmailRelaySettings } from './email-relay.adapter';

const TOKEN = 'vgt_0123456789abcdefghijklmnopqrstuvwxyzABCD';
const notice: RelayNotice = {
  grantId: 'grt_00000000000000000000000000000042',
  caseId: 'case_7',
  carrierCode: 'ems',
  trackingNumber: 'EE123456789CN',
  documentId: 'doc_9',
  documentType: 'resident_id_card',
  parts: ['front', 'back'],
  downloadUrl: `https://vault.example.test/v1/relay-grants/${TOKEN}`,
  expiresAt: new Date('2026-12-05T00:00:00Z'),
  maxUses: 2,
  purpose: 'customs_clearance',
};
const desk: EmailDestination = {
  carrierCode: 'ems',
  recipientKind: 'customs_broker',
  recipientId: 'broker-ems',
  adapter: 'email',
  mailbox: 'clearance-desk@broker.example.test',
};

describe('EmailRelayAdapter (real SMTP server)', () => {
  let sink: SmtpSink;
  const adapters: EmailRelayAdapter[] = [];
  const adapter = (overrides: Partial<EmailRelaySettings> = {}) => {
    const a = new EmailRelayAdapter({
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      // The sink speaks plain SMTP on localhost; production requires TLS (the default setting).
      requireTls: false,
      from: 'Portico clearance relay <clearance-relay@portico.example.test>',
      timeoutMs: 5_000,
      ...overrides,
    });
    adapters.push(a);
    return a;
  };

  beforeAll(async () => {
    sink = await new SmtpSink().start();
  });
  afterAll(async () => {
    for (const a of adapters) a.close();
    await sink?.stop();
  });
  beforeEach(() => {
    sink.received.length = 0;
  });

  it("mails the desk the grant's links, never the document, under a Message-ID of the grant", async () => {
    await adapter().deliver(desk, notice);
    expect(sink.received).toHaveLength(1);
    const mail = sink.received[0]!;
    expect(mail.to).toEqual([desk.mailbox]);
    expect(mail.from).toBe('clearance-relay@portico.example.test');
    expect(mail.messageId).toBe(`<${notice.grantId}@portico.id-vault>`);
    expect(mail.headers.get('x-portico-grant-id')).toBe(notice.grantId);
    expect(mail.subject).toContain('EE123456789CN');
    expect(mail.text).toContain(`${notice.downloadUrl}?part=front`);
    expect(mail.text).toContain(`${notice.downloadUrl}?part=back`);
    expect(mail.html).toBe('');
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'text/plain' });
  });

  it('throws RelayDeliveryError with the SMTP code for a mailbox that does not exist (550), naming neither it nor the link', async () => {
    sink.unknownMailboxes.add(desk.mailbox);
    try {
      const err = (await adapter()
        .deliver(desk, notice)
        .catch((e: unknown) => e)) as RelayDeliveryError;
      expect(err).toBeInstanceOf(RelayDeliveryError);
      expect(err.status).toBe(550);
      expect(err.message).toBe('relay e-mail failed: SMTP_550');
      expect(`${err.message} ${err.stack}`).not.toContain(desk.mailbox);
      expect(`${err.message} ${err.stack}`).not.toContain(TOKEN);
      expect(sink.received).toHaveLength(0);
    } finally {
      sink.unknownMailboxes.delete(desk.mailbox);
    }
  });

  it('throws for a temporary refusal (451), so the push timer retries it', async () => {
    sink.failures.push({ code: 451, message: 'try again later' });
    const err = (await adapter()
      .deliver(desk, notice)
      .catch((e: unknown) => e)) as RelayDeliveryError;
    expect(err).toBeInstanceOf(RelayDeliveryError);
    expect(err.status).toBe(451);
    // The retry is the same message to the desk.
    await adapter().deliver(desk, notice);
    expect(sink.received.map((m) => m.messageId)).toEqual([`<${notice.grantId}@portico.id-vault>`]);
  });

  it('refuses to send the link over a connection without TLS when TLS is required', async () => {
    const err = (await adapter({ requireTls: true })
      .deliver(desk, notice)
      .catch((e: unknown) => e)) as RelayDeliveryError;
    expect(err).toBeInstanceOf(RelayDeliveryError);
    // The sink has STARTTLS disabled: nodemailer's STARTTLS is answered 500, and it stops there.
    expect(err.message).toBe(`relay e-mail failed: SMTP_${err.status}`);
    expect(sink.received).toHaveLength(0);
  });
});
