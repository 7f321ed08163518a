import { createHash } from 'node:crypto';
import { hashSecret, issueSecret, looksLikeSecret } from './secret-token';

describe('issueSecret', () => {
  it('makes 43-character base64url tokens of 32 random bytes', () => {
    const { token } = issueSecret();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('makes a different token every time', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => issueSecret().token));
    expect(tokens.size).toBe(200);
  });

  it('returns the SHA-256 of the token as its hash', () => {
    const { token, hash } = issueSecret();
    expect(hash).toHaveLength(32);
    expect(hash.equals(createHash('sha256').update(token, 'utf8').digest())).toBe(true);
    expect(hash.equals(hashSecret(token))).toBe(true);
  });
});

describe('hashSecret', () => {
  it('is deterministic and tells tokens apart', () => {
    const a = issueSecret().token;
    const b = issueSecret().token;
    expect(hashSecret(a).equals(hashSecret(a))).toBe(true);
    expect(hashSecret(a).equals(hashSecret(b))).toBe(false);
  });

  it('matches a known SHA-256 vector', () => {
    expect(hashSecret('abc').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('looksLikeSecret', () => {
  it('accepts issued tokens', () => {
    for (let i = 0; i < 50; i++) expect(looksLikeSecret(issueSecret().token)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['42 characters', 'a'.repeat(42)],
    ['44 characters', 'a'.repeat(44)],
    ['standard base64 "+"', `${'a'.repeat(42)}+`],
    ['standard base64 "/"', `${'a'.repeat(42)}/`],
    ['padding', `${'a'.repeat(42)}=`],
    ['a trailing newline', `${'a'.repeat(43)}\n`],
    ['a leading space', ` ${'a'.repeat(42)}`],
    ['a dot', `${'a'.repeat(42)}.`],
    ['non-ASCII letters', `${'a'.repeat(42)}é`],
    ['a path', '../../../../../../../../../../etc/passwd000'],
    ['SQL', `' OR 1=1 --${'a'.repeat(32)}`],
  ])('rejects %s', (_what, junk) => {
    expect(looksLikeSecret(junk)).toBe(false);
  });
});
