import type { RelayNotice } from './relay-adapter';
import { composeRelayEmail } from './relay-email';

const notice: RelayNotice = {
  grantId: 'grt_0001',
  caseId: 'case_0001',
  carrierCode: 'sf-express',
  trackingNumber: 'SF1234567890',
  documentId: 'doc_0001',
  documentType: 'resident_id_card',
  parts: ['front', 'back'],
  downloadUrl: 'https://vault.example.test/v1/relay-grants/tok_secret',
  expiresAt: new Date('2026-12-04T06:30:00Z'),
  maxUses: 3,
  purpose: 'customs_clearance',
};

describe('composeRelayEmail', () => {
  it('gives one download link per part, the limits and the ids, in zh and en', () => {
    const mail = composeRelayEmail(notice);
    expect(mail.subject).toContain('SF1234567890');
    expect(mail.subject).toContain('清关证件');
    expect(mail.subject).toContain('customs clearance');
    for (const part of ['front', 'back']) {
      expect(mail.text.split(`${notice.downloadUrl}?part=${part}`)).toHaveLength(3); // zh and en
    }
    // Beijing time in the Chinese half (UTC+8), UTC in the English one.
    expect(mail.text).toContain('2026/12/04 14:30（北京时间）');
    expect(mail.text).toContain('before 2026-12-04T06:30:00Z');
    expect(mail.text).toContain('最多 3 次');
    expect(mail.text).toContain('at most 3 times');
    expect(mail.text).toContain('case case_0001');
    expect(mail.text).toContain('Grant grt_0001');
  });

  it('is plain text with nothing from outside the notice', () => {
    const mail = composeRelayEmail({ ...notice, parts: ['single_page'], documentType: 'passport' });
    expect(mail.text).not.toMatch(/<[a-z]/i);
    expect(mail.text).toContain(`${notice.downloadUrl}?part=single_page`);
    expect(mail.text).not.toContain('?part=front');
  });
});
