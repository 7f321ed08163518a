import { ConfigError, describeConfig } from '@portico/config';
import { loadServiceConfig, settings } from './config';

describe('clearance configuration', () => {
  it('starts on local defaults with an empty environment', () => {
    const config = loadServiceConfig({});
    expect(config.serviceName).toBe('clearance');
    expect(config.httpPort).toBe(3002);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/portico_clearance');
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.timerPollIntervalMs).toBe(1000);
    expect(config.authIssuer).toBe('http://127.0.0.1:8080/portico-dev');
    expect(config.authAudience).toBe('portico-api');
    // No key has a default: a deployment that forgets one refuses callers (serviceAuthModule),
    // it never trusts a key published in this repository.
    expect(config.authDevTokenKey).toBeUndefined();
    expect(config.authJwksUrl).toBeUndefined();
    expect(config.authServiceTokens).toEqual({});
  });

  it('reads who may call it: person token settings and internal service tokens', () => {
    const config = loadServiceConfig({
      AUTH_DEV_TOKEN_KEY: 'dev-token-key-0123456789-abcdefghijklmnop',
      AUTH_SERVICE_TOKENS: 'notification=notification-token-0123456789abcdef',
      AUTH_CLOCK_TOLERANCE_SEC: '10',
    });
    expect(config.authDevTokenKey).toBe('dev-token-key-0123456789-abcdefghijklmnop');
    expect(config.authServiceTokens).toEqual({ notification: ['notification-token-0123456789abcdef'] });
    expect(config.authClockToleranceSec).toBe(10);
    expect(() => loadServiceConfig({ AUTH_SERVICE_TOKENS: 'notification=short' })).toThrow(
      /AUTH_SERVICE_TOKENS/,
    );
  });

  it('refuses a bad HTTP_PORT and names the setting', () => {
    expect(() => loadServiceConfig({ HTTP_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadServiceConfig({ HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT .*\(got "abc"\)/);
  });

  it('validates its own settings', () => {
    expect(() => loadServiceConfig({ TIMER_POLL_INTERVAL_MS: '10' })).toThrow(/TIMER_POLL_INTERVAL_MS/);
  });

  it('reads the default prediction threshold: above 0, at most 1, 0.5 unless set', () => {
    expect(loadServiceConfig({}).predictionDefaultThreshold).toBe(0.5);
    expect(loadServiceConfig({ PREDICTION_DEFAULT_THRESHOLD: '0.8' }).predictionDefaultThreshold).toBe(0.8);
    for (const bad of ['0', '1.2', 'high']) {
      expect(() => loadServiceConfig({ PREDICTION_DEFAULT_THRESHOLD: bad })).toThrow(
        /PREDICTION_DEFAULT_THRESHOLD/,
      );
    }
  });

  it('never shows secrets when describing or rejecting the configuration', () => {
    const env = {
      DATABASE_URL: 'postgres://svc:s3cret-pw@db:5432/x',
      INTERNAL_SERVICE_TOKEN: 'tok-0123456789-abcdefghijklmnop',
      AUTH_DEV_TOKEN_KEY: 'devkey-0123456789-abcdefghijklmnop',
      AUTH_SERVICE_TOKENS: 'notification=svc-tok-0123456789-abcdefghijklmnop',
    };
    const described = JSON.stringify(describeConfig(settings, loadServiceConfig(env)));
    expect(described).not.toContain('s3cret-pw');
    expect(described).not.toContain('tok-0123456789');
    expect(described).not.toContain('devkey-0123456789');
    expect(described).not.toContain('svc-tok-0123456789');
    expect(described).toContain('"DATABASE_URL":"[secret]"');
    let message = '';
    try {
      loadServiceConfig({ DATABASE_URL: 'mysql://svc:s3cret-pw@db/x' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('s3cret-pw');
  });
});
