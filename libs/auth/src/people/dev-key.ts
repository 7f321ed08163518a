import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * The local-development signing key for person tokens, from one configuration string:
 * - a JWK (`{"kty":"EC","crv":"P-256",...}` or `{"kty":"oct","k":...}`),
 * - a PEM (EC P-256 `PRIVATE KEY` or `PUBLIC KEY`),
 * - otherwise a shared HS256 secret of at least 32 characters.
 * A public key alone verifies but cannot sign (signDevToken needs the private half or the secret).
 */
export interface DevKey {
  readonly alg: 'HS256' | 'ES256';
  readonly verifyKey: KeyObject;
  readonly signKey: KeyObject | null;
}

export class DevKeyError extends Error {
  override readonly name = 'DevKeyError';
}

export const DEV_HS256_MIN_LENGTH = 32;

export function parseDevKey(text: string): DevKey {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return fromJwk(trimmed);
  if (trimmed.startsWith('-----BEGIN')) return fromPem(trimmed);
  if (trimmed.length < DEV_HS256_MIN_LENGTH) {
    throw new DevKeyError(`an HS256 development key must be at least ${DEV_HS256_MIN_LENGTH} characters`);
  }
  const secret = createSecretKey(Buffer.from(trimmed, 'utf8'));
  return { alg: 'HS256', verifyKey: secret, signKey: secret };
}

function fromJwk(text: string): DevKey {
  let jwk: Record<string, unknown>;
  try {
    jwk = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new DevKeyError('the development key looks like a JWK but is not valid JSON');
  }
  if (jwk['kty'] === 'oct' && typeof jwk['k'] === 'string') {
    const bytes = Buffer.from(jwk['k'], 'base64url');
    if (bytes.length < DEV_HS256_MIN_LENGTH)
      throw new DevKeyError('an HS256 JWK must hold at least 32 bytes');
    const secret = createSecretKey(bytes);
    return { alg: 'HS256', verifyKey: secret, signKey: secret };
  }
  if (jwk['kty'] !== 'EC' || jwk['crv'] !== 'P-256')
    throw new DevKeyError('only EC P-256 (ES256) or oct (HS256) JWKs are supported');
  try {
    if (typeof jwk['d'] === 'string') {
      const priv = createPrivateKey({ key: jwk as never, format: 'jwk' });
      return { alg: 'ES256', verifyKey: createPublicKey(priv), signKey: priv };
    }
    return { alg: 'ES256', verifyKey: createPublicKey({ key: jwk as never, format: 'jwk' }), signKey: null };
  } catch {
    throw new DevKeyError('the EC P-256 JWK could not be imported');
  }
}

function fromPem(text: string): DevKey {
  let key: DevKey;
  try {
    if (text.includes('PRIVATE KEY')) {
      const priv = createPrivateKey(text);
      key = { alg: 'ES256', verifyKey: createPublicKey(priv), signKey: priv };
    } else {
      key = { alg: 'ES256', verifyKey: createPublicKey(text), signKey: null };
    }
  } catch {
    throw new DevKeyError('the PEM development key could not be imported');
  }
  if (
    key.verifyKey.asymmetricKeyType !== 'ec' ||
    key.verifyKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  ) {
    throw new DevKeyError('a PEM development key must be an EC P-256 key (ES256)');
  }
  return key;
}
