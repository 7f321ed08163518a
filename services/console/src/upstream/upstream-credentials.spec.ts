import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { Registry } from 'prom-client';
import { PersonTokenVerifier } from '@portico/auth';
import { ConfigError } from '@portico/config';
import { loadServiceConfig, type ConsoleConfig } from '../config';
import type { Session } from '../sessions/session';
import { ConsoleMetrics } from '../shared/console-metrics';
import { JwksNotConfiguredError } from '../shared/console-errors';
import { JwksController } from './jwks.controller';
import { DevTokenCredentials, IssuedTokenCredentials, upstreamCredentialsClass } from './upstream-credentials';

const ISSUER = 'http://console.portico.test:3006';
const jwk = (kid: string) => ({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid });
const KEYS = [jwk('k2'), jwk('k1')];
const session: Session = {
  id: 'ses_1',
  csrfToken: 'c',
  expiresAt: new Date(Date.now() + 60_000),
  maxExpiresAt: null,
  account: { id: 'acc_1', username: 'li.na', subject: 'stf_1', roles: ['steward'], tenantId: 'ten_1', propertyIds: ['prop_a'] },
};

const config = (env: Record<string, string>): ConsoleConfig => loadServiceConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x', ...env });
const issuing = () => config({ CONSOLE_TOKEN_SIGNING_KEYS: JSON.stringify(KEYS), AUTH_OIDC_ISSUER: ISSUER });

describe('upstream credentials', () => {
  it('signs with the newest signing key; the JWKS the console serves verifies it (what AUTH_JWKS_URL gives a service)', async () => {
    const c = issuing();
    const metrics = new ConsoleMetrics(new Registry());
    const token = await new IssuedTokenCredentials(c, metrics).bearerFor(session);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: 'k2' });
    const jwks = new JwksController(c, metrics).keys();
    expect(jwks.keys.map((k) => k['kid'])).toEqual(['k2', 'k1']);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    const verifier = new PersonTokenVerifier({
      issuer: ISSUER,
      audience: 'portico-api',
      keys: { keySet: createLocalJWKSet(JSON.parse(JSON.stringify(jwks))), algorithms: ['ES256', 'EdDSA'] },
    });
    await expect(verifier.verify(token)).resolves.toEqual({
      kind: 'person',
      subject: 'stf_1',
      roles: ['steward'],
      tenantId: 'ten_1',
      propertyIds: ['prop_a'],
    });
    expect(JSON.stringify(await metrics.personTokens.get())).toContain('"key":"k2"');
  });

  it('chooses the signing keys in production and the development key locally; both at once is refused', () => {
    expect(upstreamCredentialsClass(issuing())).toBe(IssuedTokenCredentials);
    expect(upstreamCredentialsClass(config({ AUTH_DEV_TOKEN_KEY: 'd'.repeat(40) }))).toBe(DevTokenCredentials);
    expect(() =>
      upstreamCredentialsClass(config({ CONSOLE_TOKEN_SIGNING_KEYS: JSON.stringify(KEYS), AUTH_DEV_TOKEN_KEY: 'd'.repeat(40) })),
    ).toThrow(/both set/);
  });

  it('publishes no JWKS with the development key (404 jwks_not_configured, zh + en)', () => {
    const controller = new JwksController(config({ AUTH_DEV_TOKEN_KEY: 'd'.repeat(40) }), new ConsoleMetrics(new Registry()));
    let error: unknown;
    try {
      controller.keys();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JwksNotConfiguredError);
    expect(error).toMatchObject({ code: 'jwks_not_configured', status: 404 });
  });

  it('stops the start on a broken or symmetric signing key without echoing it', () => {
    const secret = 'a-shared-secret-that-must-not-appear-0123456789';
    let message = '';
    try {
      config({ CONSOLE_TOKEN_SIGNING_KEYS: JSON.stringify([{ kty: 'oct', k: Buffer.from(secret).toString('base64url'), kid: 'hs' }]) });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/CONSOLE_TOKEN_SIGNING_KEYS.*shared secret/s);
    expect(message).not.toContain(Buffer.from(secret).toString('base64url'));
  });
});
