import { recipientDigest, type DigestKey } from '@portico/contracts';
import { nameMatchesWaybill } from './name-match';

const current: DigestKey = { id: 'k2', secret: 'current-test-secret-0000000000000' };
const previous: DigestKey = { id: 'k1', secret: 'previous-test-secret-000000000000' };

describe('name match against the waybill digest', () => {
  it.each([
    ['LI WEI', 'Li Wei'],
    ['LI WEI', 'liwei'],
    ['LI WEI', 'ＬＩ　ＷＥＩ'], // full-width letters and ideographic space
    ['李 伟', '李伟'],
    ['阿卜杜·热合曼', '阿卜杜热合曼'],
    ['阿卜杜热合曼', '阿卜杜・热合曼'], // katakana middle dot
    ['阿卜杜热合曼', '阿卜杜･热合曼'], // half-width katakana middle dot
    ['阿卜杜·热合曼', '阿卜杜•热合曼'], // bullet, bridged here until libs/contracts drops it
    ['阿卜杜·热合曼', '阿卜杜‧热合曼'], // hyphenation point, same
  ])('waybill %j matches typed %j', (waybill, typed) => {
    expect(nameMatchesWaybill(typed, recipientDigest('name', waybill, current), [current])).toBe(true);
  });

  it('does not match another name', () => {
    const digest = recipientDigest('name', '李伟', current);
    expect(nameMatchesWaybill('李炜', digest, [current])).toBe(false);
    expect(nameMatchesWaybill('Li Wei', digest, [current])).toBe(false); // no transliteration
    expect(nameMatchesWaybill('', digest, [current])).toBe(false);
  });

  it('picks the key the digest names, so it still matches during key rotation', () => {
    const digest = recipientDigest('name', 'Maria Garcia', previous);
    expect(nameMatchesWaybill('MARIA GARCIA', digest, [current, previous])).toBe(true);
    expect(nameMatchesWaybill('MARIA GARCIA', digest, [current])).toBe(false);
  });

  it('is false without a digest', () => {
    expect(nameMatchesWaybill('Li Wei', undefined, [current])).toBe(false);
  });
});
