import { matchesRecipientDigest, normaliseRecipientValue, recipientDigest } from './recipient-digest';

const key = { id: 'k1', secret: 'a-test-secret-of-sufficient-length-000' };

describe('recipient digests', () => {
  it('normalises names and phone numbers the same way on both sides', () => {
    expect(normaliseRecipientValue('name', ' Li  Wei ')).toBe('liwei');
    expect(normaliseRecipientValue('name', 'ＬＩ ＷＥＩ')).toBe('liwei');
    expect(normaliseRecipientValue('phone', '+86 138-0013-8000')).toBe('13800138000');
    expect(normaliseRecipientValue('phone', '0086 13800138000')).toBe('13800138000');
    expect(normaliseRecipientValue('phone', '+852 9123 4567')).toBe('85291234567');
  });

  it('matches the same person and not another, and only with the key that made the digest', () => {
    const digest = recipientDigest('name', '李 伟', key);
    expect(digest.keyId).toBe('k1');
    expect(matchesRecipientDigest(digest, 'name', '李伟', [key])).toBe(true);
    expect(matchesRecipientDigest(digest, 'name', '李炜', [key])).toBe(false);
    expect(matchesRecipientDigest(digest, 'phone', '李伟', [key])).toBe(false);
    expect(
      matchesRecipientDigest(digest, 'name', '李伟', [
        { id: 'k1', secret: 'another-secret-000000000000000' },
      ]),
    ).toBe(false);
    expect(matchesRecipientDigest(digest, 'name', '李伟', [{ id: 'k2', secret: key.secret }])).toBe(false);
    expect(matchesRecipientDigest(undefined, 'name', '李伟', [key])).toBe(false);
  });

  it('never contains the value itself', () => {
    const digest = recipientDigest('phone', '13800138000', key);
    expect(Buffer.from(digest.value).toString('latin1')).not.toContain('13800138000');
    expect(digest.value).toHaveLength(32);
  });
});
