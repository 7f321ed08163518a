import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * The keys a Portico token issuer (the console, for people) signs person tokens with, from one
 * secret setting: a JSON array of private JWKs (or a JWK set `{"keys": […]}`), **newest first**.
 * The first key signs; every key is published in the issuer's JWKS, so tokens signed by a key
 * that is being retired keep verifying until that key is removed from the list (then they are
 * refused as soon as the verifiers refetch the set).
 *
 * Only asymmetric keys: EC P-256 (ES256) and Ed25519 (EdDSA). A shared secret (`kty: oct`, HS256)
 * cannot be published, and HS keys next to a JWKS are how algorithm-confusion attacks start.
 * Every key needs its own `kid` so verifiers pick the right one during a rotation.
 * Error messages name positions and kids, never key material.
 */
export type SigningAlgorithm = 'ES256' | 'EdDSA';

export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject;
  /** The public half as published: kty, crv, x (, y), kid, alg, use — never `d`. */
  readonly publicJwk: Readonly<Record<string, string>>;
}

export interface SigningKeyring {
  /** The newest key: the one that signs. */
  readonly current: SigningKey;
  readonly keys: readonly SigningKey[];
}

export interface PublicJwks {
  readonly keys: readonly Readonly<Record<string, string>>[];
}

export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

const KID = /^[A-Za-z0-9._-]{1,64}$/;

export function parseSigningKeys(text: string): SigningKeyring {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim());
  } catch {
    throw new SigningKeyError('signing keys must be a JSON array of private JWKs (newest first)');
  }
  const list = Array.isArray(parsed)
    ? parsed
    : parsed && typeof parsed === 'object' && Array.isArray((parsed as { keys?: unknown }).keys)
      ? (parsed as { keys: unknown[] }).keys
      : null;
  if (!list || list.length === 0) throw new SigningKeyError('at least one signing key is required');
  const keys = list.map((entry, i) => toSigningKey(entry, i));
  const kids = new Set<string>();
  for (const k of keys) {
    if (kids.has(k.kid)) throw new SigningKeyError(`signing key id "${k.kid}" appears twice`);
    kids.add(k.kid);
  }
  return { current: keys[0]!, keys };
}

/** The JWKS document to publish: public halves only. */
export function publicJwks(keyring: SigningKeyring): PublicJwks {
  return { keys: keyring.keys.map((k) => k.publicJwk) };
}

function toSigningKey(entry: unknown, index: number): SigningKey {
  const where = `signing key ${index + 1}`;
  if (!entry || typeof entry !== 'object') throw new SigningKeyError(`${where} is not a JWK object`);
  const jwk = entry as Record<string, unknown>;
  const kid = jwk['kid'];
  if (typeof kid !== 'string' || !KID.test(kid)) {
    throw new SigningKeyError(`${where} needs a "kid" (1-64 letters, digits, . _ -)`);
  }
  const label = `signing key "${kid}"`;
  if (jwk['kty'] === 'oct') {
    throw new SigningKeyError(`${label} is a shared secret (HS*): only EC P-256 or Ed25519 keys can be published in a JWKS`);
  }
  let alg: SigningAlgorithm;
  if (jwk['kty'] === 'EC' && jwk['crv'] === 'P-256') alg = 'ES256';
  else if (jwk['kty'] === 'OKP' && jwk['crv'] === 'Ed25519') alg = 'EdDSA';
  else throw new SigningKeyError(`${label}: only EC P-256 (ES256) or OKP Ed25519 (EdDSA) keys are supported`);
  if (jwk['alg'] !== undefined && jwk['alg'] !== alg) {
    throw new SigningKeyError(`${label} says alg ${String(jwk['alg'])}, its key type is for ${alg}`);
  }
  if (typeof jwk['d'] !== 'string') throw new SigningKeyError(`${label} is a public key: signing needs the private key ("d")`);
  let privateKey: KeyObject;
  let exported: JsonWebKey;
  try {
    privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    exported = createPublicKey(privateKey).export({ format: 'jwk' });
  } catch {
    throw new SigningKeyError(`${label} could not be imported`);
  }
  const publicJwk: Record<string, string> = { kty: String(exported.kty), crv: String(exported.crv), x: String(exported.x) };
  if (exported.y) publicJwk['y'] = String(exported.y);
  return { kid, alg, privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } };
}
