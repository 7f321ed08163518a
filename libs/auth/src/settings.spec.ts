import { ConfigError, describeConfig, loadConfig } from '@portico/config';
import {
  apiKeyServiceOptionsFromConfig,
  apiKeySettings,
  authSettings,
  personTokenOptionsFromConfig,
  serviceTokenVerifierFromConfig,
} from './settings';

const definition = { ...authSettings(), ...apiKeySettings() };
const T1 = 'notification-token-0123456789-abc';
const T2 = 'notification-token-0123456789-xyz';
const PEPPER = 'pepper-0123456789-0123456789-0123456';

describe('authSettings / apiKeySettings', () => {
  it('parses a local-development configuration', () => {
    const config = loadConfig('svc', definition, {
      AUTH_DEV_TOKEN_KEY: 'dev-key-0123456789-0123456789-0123',
      AUTH_SERVICE_TOKENS: `notification=${T1}, notification=${T2},clearance=${T1}`,
      AUTH_API_KEY_PEPPERS: `p2=${PEPPER},p1=${PEPPER}x`,
    });
    expect(config.authServiceTokens).toEqual({ notification: [T1, T2], clearance: [T1] });
    expect(config.apiKeyPeppers).toEqual([
      ['p2', PEPPER],
      ['p1', `${PEPPER}x`],
    ]);
    expect(personTokenOptionsFromConfig(config)).toMatchObject({
      issuer: config.authIssuer,
      audience: 'portico-api',
      clockToleranceSec: 30,
      keys: { devKey: expect.any(String) },
    });
    expect(serviceTokenVerifierFromConfig(config).callers).toEqual(['notification', 'clearance']);
    expect(apiKeyServiceOptionsFromConfig(config)).toMatchObject({
      environment: 'test',
      peppers: [{ id: 'p2' }, { id: 'p1' }],
    });
    const described = JSON.stringify(describeConfig(definition, config));
    for (const secret of [T1, T2, PEPPER, 'dev-key-0123456789']) expect(described).not.toContain(secret);
  });

  it('names bad secret settings without echoing them', () => {
    let message = '';
    try {
      loadConfig('svc', definition, {
        AUTH_SERVICE_TOKENS: `notification=${T1},notification=${T2},notification=${T1}y,clearance=short-secret-value`,
        AUTH_API_KEY_PEPPERS: 'p1=tiny-pepper-value',
      });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/AUTH_SERVICE_TOKENS/);
    expect(message).toMatch(/AUTH_API_KEY_PEPPERS .*at least 32/);
    for (const secret of [T1, 'short-secret-value', 'tiny-pepper-value'])
      expect(message).not.toContain(secret);
  });

  it('requires exactly one source of person-token keys', () => {
    const neither = loadConfig('svc', authSettings(), {});
    expect(() => personTokenOptionsFromConfig(neither)).toThrow(/AUTH_JWKS_URL .*or AUTH_DEV_TOKEN_KEY/);
    const both = loadConfig('svc', authSettings(), {
      AUTH_JWKS_URL: 'https://idp.example/jwks',
      AUTH_DEV_TOKEN_KEY: 'dev-key-0123456789-0123456789-0123',
    });
    expect(() => personTokenOptionsFromConfig(both)).toThrow(/both set/);
    const prod = loadConfig('svc', authSettings(), {
      AUTH_JWKS_URL: 'https://idp.example/jwks',
      AUTH_OIDC_ISSUER: 'https://idp.example/',
    });
    expect(personTokenOptionsFromConfig(prod).keys).toEqual({ jwksUrl: 'https://idp.example/jwks' });
  });

  it('trusts further issuers from AUTH_EXTRA_ISSUERS next to the JWKS, never next to a dev key', () => {
    const config = loadConfig('svc', authSettings(), {
      AUTH_JWKS_URL: 'http://console:3006/.well-known/jwks.json',
      AUTH_OIDC_ISSUER: 'http://console:3006',
      AUTH_EXTRA_ISSUERS: 'https://idp.corp.example/ https://idp.corp.example/jwks , urn:api-idp https://api.example/keys',
    });
    expect(personTokenOptionsFromConfig(config)).toMatchObject({
      issuer: 'http://console:3006',
      keys: { jwksUrl: 'http://console:3006/.well-known/jwks.json' },
      additionalIssuers: [
        { issuer: 'https://idp.corp.example/', keys: { jwksUrl: 'https://idp.corp.example/jwks' } },
        { issuer: 'urn:api-idp', keys: { jwksUrl: 'https://api.example/keys' } },
      ],
    });
    expect(personTokenOptionsFromConfig(loadConfig('svc', authSettings(), { AUTH_JWKS_URL: 'https://x.example/jwks' }))).not.toHaveProperty(
      'additionalIssuers',
    );
    const withDev = loadConfig('svc', authSettings(), {
      AUTH_DEV_TOKEN_KEY: 'dev-key-0123456789-0123456789-0123',
      AUTH_EXTRA_ISSUERS: 'https://idp.corp.example/ https://idp.corp.example/jwks',
    });
    expect(() => personTokenOptionsFromConfig(withDev)).toThrow(/development key/);
    const repeated = loadConfig('svc', authSettings(), {
      AUTH_JWKS_URL: 'https://x.example/jwks',
      AUTH_OIDC_ISSUER: 'https://x.example/',
      AUTH_EXTRA_ISSUERS: 'https://x.example/ https://x.example/jwks',
    });
    expect(() => personTokenOptionsFromConfig(repeated)).toThrow(/repeats/);
    for (const bad of ['https://idp.example/', 'a b c', 'issuer ftp://x/jwks', 'issuer not-a-url'])
      expect(() => loadConfig('svc', authSettings(), { AUTH_EXTRA_ISSUERS: bad })).toThrow(/AUTH_EXTRA_ISSUERS/);
  });

  it('accepts no internal callers unless configured', () => {
    expect(loadConfig('svc', authSettings(), {}).authServiceTokens).toEqual({});
  });
});
