import { STEWARD_REUPLOAD_REQUEST } from './templates';
import { channelCarriesNote, keepNoteAfterSend } from './steward-note';

const NOTE = 'Bitte das Foto bei Tageslicht, 请在白天拍';

describe('the steward note across failovers', () => {
  it('is never carried by SMS, and by every channel that takes free text', () => {
    expect(channelCarriesNote('sms')).toBe(false);
    for (const c of ['email', 'wecom_app', 'wecom', 'dingtalk', 'web_push'] as const)
      expect(channelCarriesNote(c)).toBe(true);
  });

  it('is kept after an accepted SMS when a late receipt may still move the message to e-mail', () => {
    expect(keepNoteAfterSend(['sms', 'email'], 0, false)).toBe(true);
    // Accepted on e-mail with nothing after it: no failover can use the note.
    expect(keepNoteAfterSend(['sms', 'email'], 1, false)).toBe(false);
    // Delivered is final: nothing moves on.
    expect(keepNoteAfterSend(['email', 'wecom_app'], 0, true)).toBe(false);
    expect(keepNoteAfterSend(['email', 'wecom_app'], 0, false)).toBe(true);
  });

  it('is dropped when only SMS could follow (it would never be sent there)', () => {
    expect(keepNoteAfterSend(['email', 'sms'], 0, false)).toBe(false);
    expect(keepNoteAfterSend(['sms'], 0, false)).toBe(false);
    expect(keepNoteAfterSend(['wecom_app', 'sms', 'email'], 0, false)).toBe(true);
  });

  it('renders into the e-mail the failover sends, and never into the SMS shape', () => {
    const vars = {
      carrierCode: 'sf-express',
      trackingNumber: 'SF1234567890',
      documents: ['resident_id_card'],
      deadline: '2026-11-28T06:00:00.000Z',
      rejectionReasons: ['side_missing'],
    };
    const facts = {
      recipientName: '李伟',
      propertyName: 'Harbour Tower A',
      timeZone: 'Asia/Shanghai',
      upload: { url: 'https://vault.example.test/u/abc', expiresAt: new Date('2026-11-27T06:00:00Z') },
      note: NOTE,
    };
    for (const lang of ['zh', 'en'] as const) {
      const r = STEWARD_REUPLOAD_REQUEST.render[lang](vars, facts);
      expect(r.email.text).toContain(NOTE);
      expect(JSON.stringify(r.sms)).not.toContain(NOTE);
    }
  });
});
