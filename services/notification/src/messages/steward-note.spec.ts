import { STEWARD_REUPLOAD_REQUEST } from './templates';
import { channelCarriesNote, keepNoteAfterFailure, keepNoteAfterSend } from './steward-note';

const NOTE = 'Bitte das Foto bei Tageslicht, 请在白天拍';

describe('the steward note across failovers', () => {
  it('is never carried by SMS, and by every channel that takes free text', () => {
    expect(channelCarriesNote('sms')).toBe(false);
    for (const c of ['email', 'wecom_app', 'wecom', 'dingtalk', 'web_push'] as const)
      expect(channelCarriesNote(c)).toBe(true);
  });

  it('is kept after an accepted send while a late receipt may still fail it over or fail it for good', () => {
    // A late failover to e-mail would carry it.
    expect(keepNoteAfterSend(['sms', 'email'], false)).toBe(true);
    // Accepted on the last channel: a bounce fails it for good, and an operator's re-drive goes
    // from the first channel again, so the note still has a use.
    expect(keepNoteAfterSend(['email'], false)).toBe(true);
    expect(keepNoteAfterSend(['email', 'sms'], false)).toBe(true);
    // Delivered is final: nothing moves on.
    expect(keepNoteAfterSend(['email', 'wecom_app'], true)).toBe(false);
  });

  it('is dropped when no channel of the plan carries it (it would never be sent)', () => {
    expect(keepNoteAfterSend(['sms'], false)).toBe(false);
    expect(keepNoteAfterFailure(['sms'])).toBe(false);
  });

  it('is kept when a message fails for good on a plan a re-drive could send it on', () => {
    expect(keepNoteAfterFailure(['sms', 'email'])).toBe(true);
    expect(keepNoteAfterFailure(['wecom_app'])).toBe(true);
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
