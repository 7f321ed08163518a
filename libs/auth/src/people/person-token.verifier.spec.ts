import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, SignJWT } from 'jose';
import { AuthError } from '../auth-error';
import { signDevToken, type DevTokenClaims, type DevTokenOptions } from './dev-token';
import { PersonTokenVerifier, type PersonTokenOptions } from './person-token.verifier';

const HS_KEY = 'local-dev-hs256-key-0123456789-abcdefghij';
const ISSUER = 'https://idp.portico.test/';
const AUDIENCE = 'portico-api';
const NOW = new Date('2026-11-23T10:00:00Z');

const signOpts: DevTokenOptions = { key: HS_KEY, issuer: ISSUER, audience: AUDIENCE, now: NOW };
const steward: DevTokenClaims = {
  subject: 'user-1',
  roles: ['steward'],
  tenantId: 't1',
  propertyIds: ['p1', 'p2'],
};

function verifier(overrides: Partial<PersonTokenOptions> = {}) {
  return new PersonTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: { devKey: HS_KEY },
    clock: () => NOW,
    ...overrides,
  });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AuthError);
  return (e as AuthError).code;
}

function ecKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateJwk: JSON.stringify(privateKey.export({ format: 'jwk' })),
  };
}

describe('PersonTokenVerifier', () => {
  it('accepts a valid token and maps claims to a person principal', async () => {
    const token = await signDevToken(steward, signOpts);
    await expect(verifier().verify(token)).resolves.toEqual({
      kind: 'person',
      subject: 'user-1',
      roles: ['steward'],
      tenantId: 't1',
      propertyIds: ['p1', 'p2'],
    });
  });

  it('refuses an expired token, honouring the clock tolerance', async () => {
    const token = await signDevToken(steward, {
      ...signOpts,
      now: new Date(NOW.getTime() - 3600_000 - 20_000),
    });
    await expect(verifier().verify(token)).resolves.toMatchObject({ subject: 'user-1' }); // 20 s late, 30 s tolerance
    expect(await codeOf(verifier({ clockToleranceSec: 5 }).verify(token))).toBe('token_expired');
    const longExpired = await signDevToken(steward, { ...signOpts, expiresInSec: -60 });
    expect(await codeOf(verifier().verify(longExpired))).toBe('token_expired');
  });

  it('refuses a token for another audience or from another issuer', async () => {
    expect(
      await codeOf(verifier().verify(await signDevToken(steward, { ...signOpts, audience: 'other-api' }))),
    ).toBe('token_audience_mismatch');
    expect(
      await codeOf(
        verifier().verify(await signDevToken(steward, { ...signOpts, issuer: 'https://evil.test/' })),
      ),
    ).toBe('token_issuer_mismatch');
  });

  it('refuses a bad signature, a tampered payload, alg=none and garbage', async () => {
    const other = await signDevToken(steward, {
      ...signOpts,
      key: 'another-hs256-key-0123456789-abcdefghijk',
    });
    expect(await codeOf(verifier().verify(other))).toBe('token_invalid');

    const [h, , s] = (await signDevToken(steward, signOpts)).split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: 'x', roles: ['operator'], iss: ISSUER, aud: AUDIENCE, exp: 9e9 }),
    ).toString('base64url');
    expect(await codeOf(verifier().verify(`${h}.${forged}.${s}`))).toBe('token_invalid');

    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    expect(await codeOf(verifier().verify(`${none}.${forged}.`))).toBe('token_invalid');
    expect(await codeOf(verifier().verify('not-a-jwt'))).toBe('token_invalid');
  });

  it('refuses an HS256 token signed with the public key text of an ES256 verifier (alg confusion)', async () => {
    const kp = ecKeyPair();
    const es = verifier({ keys: { devKey: kp.publicPem } });
    const confused = await new SignJWT({ roles: ['operator'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(Math.floor(NOW.getTime() / 1000) + 60)
      .sign(new TextEncoder().encode(kp.publicPem));
    expect(await codeOf(es.verify(confused))).toBe('token_invalid');
  });

  it('requires a Portico role, and a tenant unless the person is an operator', async () => {
    expect(await codeOf(verifier().verify(await signDevToken({ ...steward, roles: [] }, signOpts)))).toBe(
      'missing_role',
    );
    expect(
      await codeOf(verifier().verify(await signDevToken({ ...steward, roles: ['admin', 'root'] }, signOpts))),
    ).toBe('missing_role');
    expect(
      await codeOf(verifier().verify(await signDevToken({ ...steward, tenantId: null }, signOpts))),
    ).toBe('missing_tenant');
    await expect(
      verifier().verify(await signDevToken({ subject: 'ops-1', roles: ['operator', 'superuser'] }, signOpts)),
    ).resolves.toEqual({
      kind: 'person',
      subject: 'ops-1',
      roles: ['operator'],
      tenantId: null,
      propertyIds: [],
    });
  });

  it('requires a subject', async () => {
    const token = await new SignJWT({ roles: ['operator'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(Math.floor(NOW.getTime() / 1000) + 60)
      .sign(new TextEncoder().encode(HS_KEY));
    expect(await codeOf(verifier().verify(token))).toBe('token_invalid');
  });

  it('reads namespaced claims and space-separated role strings', async () => {
    const ns = 'https://portico.example/';
    const token = await signDevToken(
      { subject: 'm1', roles: [], extra: { [`${ns}roles`]: 'manager steward', [`${ns}tenant_id`]: 't9' } },
      { ...signOpts, claimNamespace: ns },
    );
    await expect(verifier({ claimNamespace: ns }).verify(token)).resolves.toMatchObject({
      roles: ['manager', 'steward'],
      tenantId: 't9',
    });
  });

  it('works with an ES256 development key given as JWK or PEM', async () => {
    const kp = ecKeyPair();
    const token = await signDevToken(steward, { ...signOpts, key: kp.privateJwk });
    await expect(verifier({ keys: { devKey: kp.privateJwk } }).verify(token)).resolves.toMatchObject({
      subject: 'user-1',
    });
    await expect(verifier({ keys: { devKey: kp.publicPem } }).verify(token)).resolves.toMatchObject({
      subject: 'user-1',
    });
    await expect(signDevToken(steward, { ...signOpts, key: kp.publicPem })).rejects.toThrow(/public key/);
    const pemToken = await signDevToken(steward, { ...signOpts, key: kp.privatePem });
    await expect(verifier({ keys: { devKey: kp.privateJwk } }).verify(pemToken)).resolves.toMatchObject({
      subject: 'user-1',
    });
  });

  it('rejects unusable development keys at construction', () => {
    expect(() => verifier({ keys: { devKey: 'short' } })).toThrow(/at least 32/);
    expect(() => verifier({ keys: { devKey: '{"kty":"RSA"}' } })).toThrow(/P-256/);
    expect(() =>
      verifier({ keys: { keySet: createLocalJWKSet({ keys: [] }), algorithms: ['HS256'] } }),
    ).toThrow(/HMAC/);
  });

  describe('with a JWKS (production path)', () => {
    const kp = ecKeyPair();
    let server: Server;
    let url: string;
    let jwk: Record<string, unknown>;

    beforeAll(async () => {
      jwk = { ...(await exportJWK(kp.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
      server = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    const sign = (kid: string, key = kp.privateKey) =>
      new SignJWT({ roles: ['manager'], tenant_id: 't1' })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject('m1')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(Math.floor(NOW.getTime() / 1000) + 60)
        .sign(key);

    it('verifies against keys fetched from the JWKS URL', async () => {
      await expect(verifier({ keys: { jwksUrl: url } }).verify(await sign('k1'))).resolves.toMatchObject({
        subject: 'm1',
        roles: ['manager'],
      });
    });

    it('refuses a token whose key is not in the set', async () => {
      const stranger = ecKeyPair();
      expect(
        await codeOf(verifier({ keys: { jwksUrl: url } }).verify(await sign('k2', stranger.privateKey))),
      ).toBe('token_invalid');
      expect(
        await codeOf(verifier({ keys: { jwksUrl: url } }).verify(await sign('k1', stranger.privateKey))),
      ).toBe('token_invalid');
    });

    it('answers 503 (not 401) when the identity provider cannot be reached', async () => {
      const down = verifier({ keys: { jwksUrl: 'http://127.0.0.1:9/jwks.json', timeoutMs: 500 } });
      const err = (await down.verify(await sign('k1')).catch((e: unknown) => e)) as AuthError;
      expect(err.code).toBe('unavailable');
      expect(err.getStatus()).toBe(503);
    });
  });
});
