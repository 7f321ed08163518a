import { randomBytes } from 'node:crypto';
import {
  decodeSealedContent,
  DocumentCipher,
  encodeSealedContent,
  type SealedRecord,
} from './document-cipher';
import { ConfiguredKeyring, type KeyEncryptionKeys } from './key-encryption-keys';
import { DocumentIntegrityError, EncryptionKeyUnavailableError } from './vault-errors';

const A = '9d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a';
const B = '9d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1b';
const front = (documentId = A, version = 1) => ({ documentId, version, side: 'front' });
const key64 = () => randomBytes(32).toString('base64');
// Stands in for an ID card image: a recognisable number the tests look for in every output.
const PLAINTEXT = Buffer.from('resident id 110101199003077777 — 张三 — JPEG bytes follow', 'utf8');

async function rejection(promise: Promise<unknown>): Promise<DocumentIntegrityError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DocumentIntegrityError);
  const integrity = error as DocumentIntegrityError;
  // Typed, ids only: neither the message nor the details carry any of the plaintext.
  expect(JSON.stringify({ message: integrity.message, details: integrity.details })).not.toContain('110101');
  return integrity;
}

describe('DocumentCipher', () => {
  const keyring = ConfiguredKeyring.fromSpec(`k1=${key64()}`);
  const cipher = new DocumentCipher(keyring);

  it('seals under a fresh data key wrapped by the active KEK, and opens it again', async () => {
    const sealed = await cipher.seal(front(), PLAINTEXT);
    expect(sealed.kekId).toBe('k1');
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.tag).toHaveLength(16);
    expect(sealed.ciphertext.includes(Buffer.from('110101'))).toBe(false);
    expect(await cipher.open(front(), sealed)).toEqual(PLAINTEXT);
  });

  it('uses a new data key and IV for every seal', async () => {
    const a = await cipher.seal(front(), PLAINTEXT);
    const b = await cipher.seal(front(), PLAINTEXT);
    expect(a.ciphertext).not.toEqual(b.ciphertext);
    expect(a.iv).not.toEqual(b.iv);
    // b's wrapped key does not open a's content: different data keys.
    await rejection(cipher.open(front(), { ...a, wrappedKey: b.wrappedKey }));
  });

  it('detects any flipped bit in ciphertext, tag or IV', async () => {
    const sealed = await cipher.seal(front(), PLAINTEXT);
    for (const field of ['ciphertext', 'tag', 'iv'] as const) {
      const bytes = Buffer.from(sealed[field]);
      bytes[bytes.length - 1] ^= 0x80;
      expect((await rejection(cipher.open(front(), { ...sealed, [field]: bytes }))).reason).toBe(
        'content_rejected',
      );
    }
    const truncated = { ...sealed, ciphertext: sealed.ciphertext.subarray(1) };
    expect((await rejection(cipher.open(front(), truncated))).reason).toBe('content_rejected');
  });

  it('binds content to its document id, version and side', async () => {
    const sealed = await cipher.seal(front(), PLAINTEXT);
    // The data key is bound to (document, version): presenting the record elsewhere fails at unwrap...
    expect((await rejection(cipher.open(front(B), sealed))).reason).toBe('wrapped_key_rejected');
    expect((await rejection(cipher.open(front(A, 2), sealed))).reason).toBe('wrapped_key_rejected');
    // ...and the content to its side, under the same data key.
    const dataKeyed = await cipher.createDataKey({ documentId: A, version: 3 });
    const content = dataKeyed.dataKey.encrypt('front', PLAINTEXT);
    expect(() => dataKeyed.dataKey.decrypt('back', content)).toThrow(DocumentIntegrityError);
    expect(dataKeyed.dataKey.decrypt('front', content)).toEqual(PLAINTEXT);
    dataKeyed.dataKey.destroy();
  });

  it('refuses a wrapped key swapped in from another document', async () => {
    const a = await cipher.seal(front(A), PLAINTEXT);
    const b = await cipher.seal(front(B), Buffer.from('someone else'));
    const error = await rejection(cipher.open(front(A), { ...a, wrappedKey: b.wrappedKey }));
    expect(error).toMatchObject({ reason: 'wrapped_key_rejected', documentId: A, version: 1 });
    expect(error.details).toEqual({ documentId: A, version: 1 });
  });

  it('needs the KEK the data key was wrapped under', async () => {
    const sealed = await cipher.seal(front(), PLAINTEXT);
    const elsewhere = new DocumentCipher(ConfiguredKeyring.fromSpec(`k2=${key64()}`));
    await expect(elsewhere.open(front(), sealed)).rejects.toBeInstanceOf(EncryptionKeyUnavailableError);
    const sameIdOtherKey = new DocumentCipher(ConfiguredKeyring.fromSpec(`k1=${key64()}`));
    await rejection(sameIdOtherKey.open(front(), sealed));
  });

  it('rewraps a data key under the active KEK without touching the content', async () => {
    const k1 = key64();
    const old = new DocumentCipher(ConfiguredKeyring.fromSpec(`k1=${k1}`));
    const sealed = await old.seal(front(), PLAINTEXT);
    const rotated = new DocumentCipher(ConfiguredKeyring.fromSpec(`k2=${key64()},k1=${k1}`));
    const rewrapped = await rotated.rewrap(front(), { kekId: sealed.kekId, bytes: sealed.wrappedKey });
    expect(rewrapped.kekId).toBe('k2');
    const record: SealedRecord = { ...sealed, kekId: rewrapped.kekId, wrappedKey: rewrapped.bytes };
    expect(await rotated.open(front(), record)).toEqual(PLAINTEXT);
    await expect(old.open(front(), record)).rejects.toBeInstanceOf(EncryptionKeyUnavailableError);
  });

  it('wipes the plaintext data key once a seal or an open is done', async () => {
    const seen: Buffer[] = [];
    const spying: KeyEncryptionKeys = {
      activeKeyId: keyring.activeKeyId,
      has: (id) => keyring.has(id),
      wrap: (dataKey, context) => {
        seen.push(dataKey);
        return keyring.wrap(dataKey, context);
      },
      unwrap: async (wrapped, context) => {
        const dataKey = await keyring.unwrap(wrapped, context);
        seen.push(dataKey);
        return dataKey;
      },
    };
    const spied = new DocumentCipher(spying);
    const sealed = await spied.seal(front(), PLAINTEXT);
    expect(await spied.open(front(), sealed)).toEqual(PLAINTEXT);
    await rejection(spied.open(front(), { ...sealed, tag: Buffer.alloc(16) }));
    expect(seen).toHaveLength(3);
    for (const dataKey of seen) expect(dataKey.equals(Buffer.alloc(32))).toBe(true);
  });

  it('refuses to use a destroyed data key', async () => {
    const { dataKey } = await cipher.createDataKey({ documentId: A, version: 1 });
    dataKey.destroy();
    expect(() => dataKey.encrypt('front', PLAINTEXT)).toThrow(/after destroy/);
  });
});

describe('sealed content encoding', () => {
  it('round-trips and rejects what it did not write', async () => {
    const cipher = new DocumentCipher(ConfiguredKeyring.fromSpec(`k1=${key64()}`));
    const sealed = await cipher.seal(front(), PLAINTEXT);
    const stored = encodeSealedContent(sealed);
    expect(stored[0]).toBe(1);
    expect(await cipher.open(front(), { ...sealed, ...decodeSealedContent(stored, front()) })).toEqual(
      PLAINTEXT,
    );
    const unknownFormat = Buffer.from(stored);
    unknownFormat[0] = 2;
    expect(() => decodeSealedContent(unknownFormat, front())).toThrow(DocumentIntegrityError);
    expect(() => decodeSealedContent(stored.subarray(0, 28), front())).toThrow(/integrity/);
  });
});
