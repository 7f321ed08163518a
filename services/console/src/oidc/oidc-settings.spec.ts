import { loadServiceConfig, oidcSettings } from '../config';

const base = { AUTH_DEV_TOKEN_KEY: 'x'.repeat(32) };

describe('oidcSettings', () => {
  it('is off without an issuer', () => {
    expect(oidcSettings(loadServiceConfig(base))).toBeNull();
  });

  it('needs client id, secret and redirect URL once an issuer is set, and names what is missing (not its value)', () => {
    const half = loadServiceConfig({
      ...base,
      CONSOLE_OIDC_ISSUER: 'https://idp.example',
      CONSOLE_OIDC_CLIENT_SECRET: 'very-secret-value',
    });
    expect(() => oidcSettings(half)).toThrow(/oidcClientId, oidcRedirectUrl/);
    expect(() => oidcSettings(half)).not.toThrow(/very-secret-value/);
  });

  it('defaults the post-logout URL to the console origin and keeps openid in the scopes', () => {
    const settings = oidcSettings(
      loadServiceConfig({
        ...base,
        CONSOLE_OIDC_ISSUER: 'https://idp.example',
        CONSOLE_OIDC_CLIENT_ID: 'console',
        CONSOLE_OIDC_CLIENT_SECRET: 's',
        CONSOLE_OIDC_REDIRECT_URL: 'https://console.example/api/auth/oidc/callback',
      }),
    );
    expect(settings).toMatchObject({
      postLogoutUrl: 'https://console.example/',
      scopes: 'openid',
      providerName: 'SSO',
    });
    expect(() => loadServiceConfig({ ...base, CONSOLE_OIDC_SCOPES: 'profile email' })).toThrow(
      /CONSOLE_OIDC_SCOPES/,
    );
  });
});
