import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, SignJWT } from 'jose';
import { AuthError } from '../auth-error';
import { signDevToken } from './dev-token';
import { PersonTokenSigner, type PersonTokenSubject } from './person-token.signer';
import { PersonTokenVerifier } from './person-token.verifier';
import { parseSigningKeys, publicJwks, SigningKeyError, type SigningKeyring } from './signing-keys';

const ISSUER = 'https://console.portico.test';
const IDP = 'https://idp.corp.test/';
const AUDIENCE = 'portico-api';
const NOW = new Date('2026-12-03T10:00:00Z');
const steward: PersonTokenSubject = { subject: 'stf_1', roles: ['steward'], tenantId: 'ten_1', propertyIds: ['prop_a'] };

function jwk(kid: string, type: 'ec' | 'ed25519' = 'ec'): Record<string, unknown> {
  const { privateKey } =
    type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return { ...privateKey.export({ format: 'jwk' }), kid };
}

const keyring = (...keys: Record<string, unknown>[]): SigningKeyring => parseSigningKeys(JSON.stringify(keys));

function signer(ring: SigningKeyring, ttlSec = 300): PersonTokenSigner {
  return new PersonTokenSigner({ keyring: ring, issuer: ISSUER, audience: AUDIENCE, ttlSec, clock: () => NOW });
}

/** What a service does with AUTH_JWKS_URL pointing at the console: verify against the published set. */
function verifierOf(published: SigningKeyring, clock = () => NOW): PersonTokenVerifier {
  return new PersonTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: { keySet: createLocalJWKSet(JSON.parse(JSON.stringify(publicJwks(published)))), algorithms: ['ES256', 'EdDSA'] },
    clock,
  });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(AuthError);
  return (e as AuthError).code;
}

function refusal(text: string): string {
  try {
    parseSigningKeys(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SigningKeyError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('signing keys (CONSOLE_TOKEN_SIGNING_KEYS)', () => {
  it('reads EC P-256 and Ed25519 private JWKs, newest first; the JWKS holds public halves only', () => {
    const a = jwk('2026-12', 'ec');
    const b = jwk('2026-06', 'ed25519');
    const ring = keyring(a, b);
    expect(ring.current.kid).toBe('2026-12');
    expect(ring.keys.map((k) => [k.kid, k.alg])).toEqual([
      ['2026-12', 'ES256'],
      ['2026-06', 'EdDSA'],
    ]);
    const published = JSON.stringify(publicJwks(ring));
    expect(publicJwks(ring).keys).toEqual([
      { kty: 'EC', crv: 'P-256', x: a['x'], y: a['y'], kid: '2026-12', alg: 'ES256', use: 'sig' },
      { kty: 'OKP', crv: 'Ed25519', x: b['x'], kid: '2026-06', alg: 'EdDSA', use: 'sig' },
    ]);
    expect(published).not.toContain('"d"');
    expect(published).not.toContain(String(a['d']));
    // the {"keys": [...]} form of a JWK set reads the same
    expect(parseSigningKeys(JSON.stringify({ keys: [a] })).current.kid).toBe('2026-12');
  });

  it('refuses HS keys, public keys, missing or repeated kids, RSA and junk, without echoing key material', () => {
    const secret = randomBytes(32).toString('base64url');
    const hs = refusal(JSON.stringify([{ kty: 'oct', k: secret, kid: 'hs' }]));
    expect(hs).toMatch(/shared secret \(HS\*\)/);
    expect(hs).not.toContain(secret);
    const pub = { ...jwk('p') };
    const d = String(pub['d']);
    delete pub['d'];
    expect(refusal(JSON.stringify([pub]))).toMatch(/public key/);
    expect(refusal(JSON.stringify([{ ...jwk('x'), kid: undefined }]))).toMatch(/needs a "kid"/);
    const twice = jwk('same');
    const dup = refusal(JSON.stringify([twice, jwk('same')]));
    expect(dup).toMatch(/appears twice/);
    expect(dup).not.toContain(String(twice['d']));
    const { privateKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(refusal(JSON.stringify([{ ...rsa.export({ format: 'jwk' }), kid: 'rsa' }]))).toMatch(/only EC P-256/);
    expect(refusal(JSON.stringify([{ ...jwk('alg'), alg: 'HS256' }]))).toMatch(/says alg HS256/);
    expect(refusal('[]')).toMatch(/at least one/);
    expect(refusal(`not json ${d}`)).not.toContain(d);
  });
});

describe('PersonTokenSigner', () => {
  it('signs with the newest key: kid header, claims the services read, short lifetime, no names', async () => {
    const ring = keyring(jwk('new'), jwk('old'));
    const token = await signer(ring, 120).sign(steward);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: 'new', typ: 'JWT' });
    await expect(verifierOf(ring).verify(token)).resolves.toEqual({ kind: 'person', ...steward });
    const later = () => new Date(NOW.getTime() + (120 + 31) * 1000);
    expect(await codeOf(verifierOf(ring, later).verify(token))).toBe('token_expired');
  });

  it('rotation: a token of the old kid verifies while the old key is published, and is refused once removed', async () => {
    const oldKey = jwk('k1');
    const newKey = jwk('k2', 'ed25519');
    const before = keyring(oldKey);
    const tokenOfOldKey = await signer(before).sign(steward);

    const rotating = keyring(newKey, oldKey); // new key signs, old one still published
    expect(decodeProtectedHeader(await signer(rotating).sign(steward)).kid).toBe('k2');
    await expect(verifierOf(rotating).verify(tokenOfOldKey)).resolves.toMatchObject({ subject: 'stf_1' });
    await expect(verifierOf(rotating).verify(await signer(rotating).sign(steward))).resolves.toMatchObject({
      subject: 'stf_1',
    });

    const after = keyring(newKey); // old key removed
    expect(await codeOf(verifierOf(after).verify(tokenOfOldKey))).toBe('token_invalid');
  });

  it('a token signed by another key under a published kid is refused', async () => {
    const ring = keyring(jwk('k1'));
    const impostor = keyring(jwk('k1'));
    expect(await codeOf(verifierOf(ring).verify(await signer(impostor).sign(steward)))).toBe('token_invalid');
  });

  it('an HS256 token (e.g. signed with the dev key) is refused by a JWKS verifier', async () => {
    const ring = keyring(jwk('k1'));
    const hs = await signDevToken(steward, { key: 'x'.repeat(40), issuer: ISSUER, audience: AUDIENCE, now: NOW });
    expect(await codeOf(verifierOf(ring).verify(hs))).toBe('token_invalid');
    // …and a JWKS verifier cannot be configured to allow HS algorithms at all
    expect(
      () =>
        new PersonTokenVerifier({
          issuer: ISSUER,
          audience: AUDIENCE,
          keys: { keySet: createLocalJWKSet(JSON.parse(JSON.stringify(publicJwks(ring)))), algorithms: ['HS256'] },
        }),
    ).toThrow(/HMAC/);
  });
});

describe('PersonTokenVerifier with several issuers', () => {
  const consoleRing = keyring(jwk('c1'));
  const idpRing = keyring(jwk('i1'));
  const both = () =>
    new PersonTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: { keySet: createLocalJWKSet(JSON.parse(JSON.stringify(publicJwks(consoleRing)))), algorithms: ['ES256'] },
      additionalIssuers: [
        { issuer: IDP, keys: { keySet: createLocalJWKSet(JSON.parse(JSON.stringify(publicJwks(idpRing)))), algorithms: ['ES256'] } },
      ],
      clock: () => NOW,
    });
  const idpToken = (iss: string, ring: SigningKeyring) =>
    new PersonTokenSigner({ keyring: ring, issuer: iss, audience: AUDIENCE, ttlSec: 300, clock: () => NOW }).sign(steward);

  it("accepts each issuer's tokens with that issuer's keys", async () => {
    await expect(both().verify(await signer(consoleRing).sign(steward))).resolves.toMatchObject({ subject: 'stf_1' });
    await expect(both().verify(await idpToken(IDP, idpRing))).resolves.toMatchObject({ subject: 'stf_1' });
  });

  it("refuses a token claiming one issuer signed with the other's key, an unknown issuer and a non-JWT", async () => {
    expect(await codeOf(both().verify(await idpToken(ISSUER, idpRing)))).toBe('token_invalid');
    expect(await codeOf(both().verify(await idpToken(IDP, consoleRing)))).toBe('token_invalid');
    expect(await codeOf(both().verify(await idpToken('https://elsewhere.test/', idpRing)))).toBe('token_issuer_mismatch');
    expect(await codeOf(both().verify('not-a-jwt'))).toBe('token_invalid');
    const unsigned = await new SignJWT({ roles: ['operator'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer(IDP).setSubject('x').setAudience(AUDIENCE).setExpirationTime('5m').sign(new Uint8Array(32));
    expect(await codeOf(both().verify(unsigned))).toBe('token_invalid');
  });

  it('never trusts a development key next to other issuers, nor one issuer twice', () => {
    const local = { keySet: createLocalJWKSet(JSON.parse(JSON.stringify(publicJwks(idpRing)))), algorithms: ['ES256'] };
    expect(
      () =>
        new PersonTokenVerifier({
          issuer: ISSUER,
          audience: AUDIENCE,
          keys: { devKey: 'x'.repeat(40) },
          additionalIssuers: [{ issuer: IDP, keys: local }],
        }),
    ).toThrow(/development key/);
    expect(
      () => new PersonTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: local, additionalIssuers: [{ issuer: ISSUER, keys: local }] }),
    ).toThrow(/twice/);
  });
});
