import { randomBytes } from 'node:crypto';

/**
 * A delivery status notification (RFC 3464) as a relay forwards it to the bounce receiver: the
 * returned headers carry our `Message-ID`, the free text quotes the address (the parser drops it).
 */
export function dsn(
  action: 'failed' | 'delivered',
  status: string,
  to: string,
  messageIdHeader: string,
): string {
  return [
    'From: MAILER-DAEMON@relay.example.test',
    'To: no-reply@portico.invalid',
    'Subject: Delivery Status Notification',
    `Message-Id: <dsn-${randomBytes(4).toString('hex')}@relay.example.test>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
    '',
    '--R',
    'Content-Type: text/plain',
    '',
    'Delivery report.',
    '',
    '--R',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; relay.example.test',
    '',
    `Final-Recipient: rfc822; ${to}`,
    `Action: ${action}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${action === 'failed' ? '550 5.1.1' : '250 2.0.0'} <${to}>`,
    '',
    '--R',
    'Content-Type: text/rfc822-headers',
    '',
    `To: ${to}`,
    `Message-ID: ${messageIdHeader}`,
    '',
    '--R--',
    '',
  ].join('\r\n');
}
