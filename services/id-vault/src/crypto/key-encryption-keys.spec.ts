import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { loadConfig } from '@portico/config';
import { cryptoSettings } from './crypto-settings';
import { ConfiguredKeyring, KeyringConfigurationError, parseKeyringSpec } from './key-encryption-keys';
import { DocumentIntegrityError, EncryptionKeyUnavailableError } from './vault-errors';

const DOC = { documentId: '0b6f1c3a-2d4e-4f5a-9b8c-7d6e5f4a3b2c', version: 1 };
const OTHER_DOC = { documentId: '0b6f1c3a-2d4e-4f5a-9b8c-7d6e5f4a3b2d', version: 1 };
const key64 = (bytes = 32) => randomBytes(bytes).toString('base64');

function problemsOf(spec: string): string {
  try {
    parseKeyringSpec(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(KeyringConfigurationError);
    return (e as Error).message;
  }
  throw new Error('expected the spec to be rejected');
}

describe('parseKeyringSpec / ConfiguredKeyring', () => {
  it('reads id=base64 pairs, the first one active, all of them known', () => {
    const ring = ConfiguredKeyring.fromSpec(` k2=${key64()} , k1=${key64()} `);
    expect(ring.activeKeyId).toBe('k2');
    expect(ring.keyIds).toEqual(['k2', 'k1']);
    expect(ring.has('k1')).toBe(true);
    expect(ring.has('k3')).toBe(false);
  });

  it('rejects duplicate ids, wrong lengths, bad base64 and reused keys, never echoing key material', () => {
    const a = key64();
    const short = key64(16);
    const long = key64(48);
    const message = problemsOf(
      `k1=${a},k1=${key64()},k2=${short},k3=${long},k4=not*base64,k5=${a},=x,noequals`,
    );
    expect(message).toContain('key id "k1" appears more than once');
    expect(message).toContain('key "k2" must be exactly 32 bytes, got 16');
    expect(message).toContain('key "k3" must be exactly 32 bytes, got 48');
    expect(message).toContain('key "k4" is not valid base64');
    expect(message).toContain('keys "k1" and "k5" are the same key');
    expect(message).toContain('entry 7 is not id=<base64 key>');
    expect(message).toContain('entry 8 is not id=<base64 key>');
    for (const secret of [a, short, long, 'not*base64']) expect(message).not.toContain(secret);
  });

  it('shows ids only when logged, printed or serialised', () => {
    const k2 = key64();
    const ring = ConfiguredKeyring.fromSpec(`k2=${k2},k1=${key64()}`);
    const hex = Buffer.from(k2, 'base64').toString('hex');
    for (const shown of [
      inspect(ring, { depth: 5 }),
      JSON.stringify({ config: ring }),
      inspect({ config: ring }),
    ]) {
      expect(shown).toContain('k2');
      expect(shown).not.toContain(k2);
      expect(shown).not.toContain(hex.slice(0, 16));
      expect(shown).not.toMatch(/[0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}/); // Buffer's inspect format
    }
  });

  it('rejects an empty keyring', () => {
    expect(problemsOf(' , ')).toMatch(/no keys/);
  });

  it('as the VAULT_KEKS setting: required, secret, problems shown without the value', () => {
    expect(() => loadConfig('id-vault', cryptoSettings, {})).toThrow(/VAULT_KEKS is required/);
    const bad = `k1=${key64(31)}`;
    let message = '';
    try {
      loadConfig('id-vault', cryptoSettings, { VAULT_KEKS: bad });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('key "k1" must be exactly 32 bytes, got 31');
    expect(message).not.toContain(bad.slice(3));
    const config = loadConfig('id-vault', cryptoSettings, { VAULT_KEKS: `k9=${key64()}` });
    expect(config.keyEncryptionKeys.activeKeyId).toBe('k9');
    expect(cryptoSettings.keyEncryptionKeys.secret).toBe(true);
  });

  it('keeps its own copy of the keys: wiping the caller’s buffers does not break it', async () => {
    const key = randomBytes(32);
    const ring = new ConfiguredKeyring([{ id: 'k1', key }]);
    const dataKey = randomBytes(32);
    const wrapped = await ring.wrap(dataKey, DOC);
    key.fill(0);
    expect(await ring.unwrap(wrapped, DOC)).toEqual(dataKey);
  });
});

describe('ConfiguredKeyring wrapping', () => {
  const ring = ConfiguredKeyring.fromSpec(`k2=${key64()},k1=${key64()}`);
  const dataKey = randomBytes(32);

  it('wraps under the active KEK and unwraps the same data key', async () => {
    const wrapped = await ring.wrap(dataKey, DOC);
    expect(wrapped.kekId).toBe('k2');
    expect(wrapped.bytes).toHaveLength(61);
    expect(wrapped.bytes.includes(dataKey)).toBe(false);
    expect(await ring.unwrap(wrapped, DOC)).toEqual(dataKey);
  });

  it('uses a fresh nonce every time', async () => {
    const a = await ring.wrap(dataKey, DOC);
    const b = await ring.wrap(dataKey, DOC);
    expect(a.bytes.subarray(1, 13)).not.toEqual(b.bytes.subarray(1, 13));
    expect(a.bytes).not.toEqual(b.bytes);
  });

  it('refuses a wrapped key presented for another document or version', async () => {
    const wrapped = await ring.wrap(dataKey, DOC);
    await expect(ring.unwrap(wrapped, OTHER_DOC)).rejects.toThrow(DocumentIntegrityError);
    await expect(ring.unwrap(wrapped, { ...DOC, version: 2 })).rejects.toMatchObject({
      code: 'document_integrity_failed',
      reason: 'wrapped_key_rejected',
    });
  });

  it('refuses a wrapped key relabelled with another KEK id, or with any byte flipped', async () => {
    const wrapped = await ring.wrap(dataKey, DOC);
    await expect(ring.unwrap({ ...wrapped, kekId: 'k1' }, DOC)).rejects.toThrow(DocumentIntegrityError);
    for (const index of [1, 13, 29, 60]) {
      const bytes = Buffer.from(wrapped.bytes);
      bytes[index] ^= 0x01;
      await expect(ring.unwrap({ ...wrapped, bytes }, DOC)).rejects.toThrow(DocumentIntegrityError);
    }
    await expect(
      ring.unwrap({ ...wrapped, bytes: wrapped.bytes.subarray(0, 60) }, DOC),
    ).rejects.toMatchObject({
      reason: 'malformed_envelope',
    });
  });

  it('cannot unwrap under a KEK it does not have, nor under a different key with the same id', async () => {
    const wrapped = await ring.wrap(dataKey, DOC);
    const withoutK2 = ConfiguredKeyring.fromSpec(`k1=${key64()}`);
    const error = await withoutK2.unwrap(wrapped, DOC).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EncryptionKeyUnavailableError);
    expect(error).toMatchObject({ code: 'encryption_key_unavailable', kekId: 'k2', details: DOC });
    const impostor = ConfiguredKeyring.fromSpec(`k2=${key64()}`);
    await expect(impostor.unwrap(wrapped, DOC)).rejects.toThrow(DocumentIntegrityError);
  });
});
