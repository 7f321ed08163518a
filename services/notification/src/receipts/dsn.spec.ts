import { deliveryStatusFields, NotADsnError, parseDsn, receiptOfFields } from './dsn';

const ID = 'msg_0123456789abcdef0123456789abcdef';
const ADDRESS = 'li.wei.private@mail.example.test';

function bounce(
  action: string,
  status: string,
  returned: string,
  type = 'multipart/report; report-type=delivery-status',
) {
  return Buffer.from(
    [
      'From: MAILER-DAEMON@relay.example.test',
      'To: no-reply@portico.invalid',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-Id: <bounce-1@relay.example.test>',
      'MIME-Version: 1.0',
      `Content-Type: ${type}; boundary="B1"`,
      '',
      '--B1',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '',
      '--B1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; relay.example.test',
      'Arrival-Date: Thu, 3 Dec 2026 12:00:00 +0000',
      '',
      `Final-Recipient: rfc822; ${ADDRESS}`,
      `Action: ${action}`,
      `Status: ${status}`,
      `Diagnostic-Code: smtp; 550 5.1.1 <${ADDRESS}>:`,
      '  Recipient address rejected',
      '',
      '--B1',
      'Content-Type: text/rfc822-headers',
      '',
      returned,
      '',
      '--B1--',
      '',
    ].join('\r\n'),
  );
}

const ourHeaders = `From: Portico <no-reply@portico.invalid>\r\nTo: ${ADDRESS}\r\nMessage-ID: <${ID}@portico.notification>`;

describe('parseDsn (mailparser)', () => {
  it('reads a hard bounce: our message id, failed, the status code only', async () => {
    const dsn = await parseDsn(bounce('failed', '5.1.1', ourHeaders));
    expect(dsn).toEqual({
      messageId: ID,
      receipt: { outcome: 'failed', code: '5.1.1' },
      reportId: '<bounce-1@relay.example.test>',
      arrivalDate: new Date('2026-12-03T12:00:00Z'),
    });
    // Neither the recipient address nor the diagnostic text is in what the parser hands on.
    expect(JSON.stringify(dsn)).not.toContain(ADDRESS);
    expect(JSON.stringify(dsn)).not.toContain('rejected');
  });

  it('finds our id in X-Portico-Message-Id when the relay rewrote the Message-ID', async () => {
    const dsn = await parseDsn(
      bounce('failed', '5.2.2', `Message-ID: <other@relay>\r\nX-Portico-Message-Id: ${ID}`),
    );
    expect(dsn.messageId).toBe(ID);
    expect(dsn.receipt).toEqual({ outcome: 'failed', code: '5.2.2' });
  });

  it('reads a success DSN as delivered and a delay as no receipt yet', async () => {
    expect((await parseDsn(bounce('delivered', '2.0.0', ourHeaders))).receipt).toEqual({
      outcome: 'delivered',
      code: '2.0.0',
    });
    expect((await parseDsn(bounce('delayed', '4.4.7', ourHeaders))).receipt).toBeNull();
  });

  it('answers no message id for a bounce about someone else’s mail', async () => {
    expect(
      (await parseDsn(bounce('failed', '5.1.1', 'Message-ID: <x@elsewhere.example>'))).messageId,
    ).toBeNull();
  });

  it('refuses what is not a DSN', async () => {
    await expect(parseDsn(Buffer.from('Subject: hello\r\n\r\nhi'))).rejects.toEqual(
      new NotADsnError('not_multipart_report'),
    );
    const withoutStatusPart = bounce('failed', '5.1.1', ourHeaders)
      .toString()
      .replace(/message\/delivery-status/, 'text/plain');
    await expect(parseDsn(Buffer.from(withoutStatusPart))).rejects.toEqual(
      new NotADsnError('no_delivery_status'),
    );
  });
});

describe('delivery-status fields', () => {
  it('unfolds continuation lines and lets a failure win over a delivery', () => {
    const { perMessage, recipients } = deliveryStatusFields(
      'Reporting-MTA: dns; a\n\nAction: delivered\nStatus: 2.0.0\n\nAction: failed\nStatus: 5.7.1\n (policy)\n',
    );
    expect(perMessage.get('reporting-mta')).toBe('dns; a');
    expect(recipients).toHaveLength(2);
    expect(receiptOfFields(recipients)).toEqual({ outcome: 'failed', code: '5.7.1' });
  });
});
