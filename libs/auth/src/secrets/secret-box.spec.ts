import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, SecretBox, SecretUnreadableError } from './secret-box';

// Callers bind a sealed secret to its row with associated data such as this.
const secretAssociatedData = (rowId: string, version: number) => `portico:spec-secret:v1:${rowId}:${version}`;

const k1 = { id: 'k1', key: Buffer.alloc(32, 1) };
const k2 = { id: 'k2', key: Buffer.alloc(32, 2) };
const aad = secretAssociatedData('ca_00000000000000000000000000000001', 1);

describe('SecretBox (AES-256-GCM for webhook secrets at rest)', () => {
  it('seals with the newest key and opens again', () => {
    const box = new SecretBox([k2, k1]);
    const sealed = box.seal('whsec_abc', aad);
    expect(sealed.keyId).toBe('k2');
    expect(sealed.nonce).toHaveLength(12);
    expect(sealed.authTag).toHaveLength(16);
    expect(sealed.ciphertext.toString('utf8')).not.toContain('whsec_abc');
    expect(box.open(sealed, aad)).toBe('whsec_abc');
  });

  it('uses a fresh nonce every time', () => {
    const box = new SecretBox([k1]);
    const a = box.seal('same', aad);
    const b = box.seal('same', aad);
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it('opens secrets sealed under an older key while that key is still configured', () => {
    const sealed = new SecretBox([k1]).seal('old', aad);
    expect(new SecretBox([k2, k1]).open(sealed, aad)).toBe('old');
    expect(() => new SecretBox([k2]).open(sealed, aad)).toThrow(SecretUnreadableError);
  });

  it('refuses a secret moved to another row or tampered with', () => {
    const box = new SecretBox([k1]);
    const sealed = box.seal('whsec_abc', aad);
    expect(() => box.open(sealed, secretAssociatedData('ca_00000000000000000000000000000002', 1))).toThrow(
      /authentication_failed/,
    );
    expect(() => box.open(sealed, secretAssociatedData('ca_00000000000000000000000000000001', 2))).toThrow(
      SecretUnreadableError,
    );
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open({ ...sealed, ciphertext: flipped }, aad)).toThrow(SecretUnreadableError);
  });

  it('never puts the plaintext in its errors', () => {
    const sealed = new SecretBox([k1]).seal('whsec_topsecret', aad);
    try {
      new SecretBox([k2]).open(sealed, aad);
    } catch (e) {
      expect(String(e)).not.toContain('topsecret');
    }
  });

  it('refuses keys that are not 256 bits', () => {
    expect(() => new SecretBox([{ id: 'short', key: Buffer.alloc(16) }])).toThrow(/32 bytes/);
    expect(() => new SecretBox([])).toThrow();
  });
});

describe('newWebhookSecret', () => {
  it('makes Standard Webhooks secrets of 32 random bytes that the reference library accepts', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(() => new Webhook(secret)).not.toThrow();
    expect(newWebhookSecret()).not.toBe(secret);
  });
});
