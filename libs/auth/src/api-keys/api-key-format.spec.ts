import {
  base62,
  formatApiKey,
  generateApiKey,
  hashApiKeySecret,
  looksLikeApiKey,
  parseApiKey,
} from './api-key-format';

const counter = () => {
  let n = 0;
  return (size: number) => Uint8Array.from({ length: size }, () => n++ % 256);
};

describe('API key format', () => {
  it('formats pk_<env>_<16-char key id>_<43-char secret> and parses it back', () => {
    const key = generateApiKey('live');
    const text = formatApiKey(key);
    expect(text).toMatch(/^pk_live_[0-9A-Za-z]{16}_[0-9A-Za-z]{43}$/);
    expect(parseApiKey(text)).toEqual(key);
    expect(looksLikeApiKey(text)).toBe(true);
  });

  it('uses the injected random source (11 bytes of key id, 32 bytes of secret)', () => {
    const sizes: number[] = [];
    const random = (size: number) => {
      sizes.push(size);
      return new Uint8Array(size).fill(255);
    };
    const key = generateApiKey('test', random);
    expect(sizes).toEqual([11, 32]);
    expect(key.keyId).toHaveLength(16);
    expect(key.secret).toHaveLength(43);
    expect(generateApiKey('test', counter())).toEqual(generateApiKey('test', counter()));
  });

  it('encodes fixed-width base62 without losing leading zero bytes', () => {
    expect(base62(new Uint8Array(32), 43)).toBe('0'.repeat(43));
    expect(base62(Uint8Array.of(0, 0, 61), 4)).toBe('000z');
    expect(base62(Uint8Array.of(1, 0), 3)).toBe('048'); // 256 = 4*62 + 8
    expect(() => base62(new Uint8Array(33).fill(255), 43)).toThrow(RangeError);
  });

  it.each([
    ['empty', ''],
    ['other prefix', 'sk_live_0123456789abcdef_' + 'a'.repeat(43)],
    ['unknown environment', 'pk_prod_0123456789abcdef_' + 'a'.repeat(43)],
    ['short key id', 'pk_live_0123456789abcde_' + 'a'.repeat(43)],
    ['short secret', 'pk_live_0123456789abcdef_' + 'a'.repeat(42)],
    ['long secret', 'pk_live_0123456789abcdef_' + 'a'.repeat(44)],
    ['base64url characters', 'pk_live_0123456789abcdef_' + 'a'.repeat(41) + '-_'],
    ['trailing whitespace', 'pk_live_0123456789abcdef_' + 'a'.repeat(43) + ' '],
    ['very long input', 'pk_live_' + 'a'.repeat(10_000)],
  ])('rejects %s', (_what, text) => {
    expect(parseApiKey(text)).toBeNull();
  });

  it('hashes with HMAC-SHA-256 bound to pepper and key id', () => {
    const h = hashApiKeySecret('p'.repeat(32), 'KEYID', 'secret');
    expect(h).toHaveLength(32);
    expect(hashApiKeySecret('p'.repeat(32), 'KEYID', 'secret')).toEqual(h);
    expect(hashApiKeySecret('q'.repeat(32), 'KEYID', 'secret')).not.toEqual(h);
    expect(hashApiKeySecret('p'.repeat(32), 'OTHER', 'secret')).not.toEqual(h);
  });
});
