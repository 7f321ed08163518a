import { common, vault } from '@portico/contracts';
import { CHECK_MESSAGES, describeFailure } from './check-messages';
import { DOCUMENT_CHECK_CODES, toProtoCheckCode, toProtoCheckFailure } from './check-codes';

describe('check codes', () => {
  it('map one to one onto the proto DocumentCheckCode values (UNSPECIFIED excluded)', () => {
    const protoValues = Object.values(vault.DocumentCheckCode).filter(
      (v): v is vault.DocumentCheckCode => typeof v === 'number' && v !== vault.DocumentCheckCode.UNSPECIFIED,
    );
    const mapped = DOCUMENT_CHECK_CODES.map(toProtoCheckCode);
    expect(new Set(mapped).size).toBe(DOCUMENT_CHECK_CODES.length);
    expect([...mapped].sort((a, b) => a - b)).toEqual([...protoValues].sort((a, b) => a - b));
    // The names line up too: 'card_aspect_ratio' <-> CARD_ASPECT_RATIO.
    for (const code of DOCUMENT_CHECK_CODES) {
      expect(vault.DocumentCheckCode[toProtoCheckCode(code)]).toBe(code.toUpperCase());
    }
  });

  it('build proto failures with UNSPECIFIED for whole-submission failures', () => {
    expect(toProtoCheckFailure({ code: 'blurry', side: common.DocumentSide.BACK })).toMatchObject({
      code: vault.DocumentCheckCode.BLURRY,
      side: common.DocumentSide.BACK,
    });
    expect(toProtoCheckFailure({ code: 'name_mismatch' }).side).toBe(common.DocumentSide.UNSPECIFIED);
  });
});

describe('check messages', () => {
  it('give every code its own message in both languages, with no placeholders', () => {
    const seen = new Set<string>();
    for (const code of DOCUMENT_CHECK_CODES) {
      const message = CHECK_MESSAGES[code];
      expect(message.en.length).toBeGreaterThan(20);
      expect(message.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(message.en).not.toMatch(/[\u4e00-\u9fff]/);
      for (const text of [message.en, message.zh, message.hint?.en ?? '', message.hint?.zh ?? '']) {
        expect(text).not.toMatch(/\{|\}|%s|\$\{|undefined/);
      }
      expect(seen.has(message.en) || seen.has(message.zh)).toBe(false);
      seen.add(message.en);
      seen.add(message.zh);
    }
    expect(CHECK_MESSAGES.blurry.en).toBe(
      'The photo is blurry: hold the phone steady, in good light, and try again.',
    );
    expect(CHECK_MESSAGES.blurry.zh).toBe('照片不够清晰：请在光线充足处保持手机稳定后重拍。');
  });

  it('label the side a failure concerns', () => {
    const back = describeFailure({ code: 'side_missing', side: common.DocumentSide.BACK });
    expect(back.en).toMatch(/^Back: /);
    expect(back.zh).toMatch(/^【背面】/);
    expect(back.hint).toEqual(CHECK_MESSAGES.side_missing.hint);
    expect(describeFailure({ code: 'card_expired' })).toEqual(CHECK_MESSAGES.card_expired);
  });
});
