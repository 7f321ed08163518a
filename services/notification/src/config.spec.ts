import { ConfigError, describeConfig } from '@portico/config';
import { loadServiceConfig, settings } from './config';

describe('notification configuration', () => {
  it('starts on local defaults with an empty environment', () => {
    const config = loadServiceConfig({});
    expect(config.serviceName).toBe('notification');
    expect(config.httpPort).toBe(3004);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/portico_notification');
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.outboundWebhookTimeoutMs).toBe(5000);
  });

  it('refuses a bad HTTP_PORT and names the setting', () => {
    expect(() => loadServiceConfig({ HTTP_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadServiceConfig({ HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT .*\(got "abc"\)/);
  });

  it('validates its own settings', () => {
    expect(() => loadServiceConfig({ OUTBOUND_WEBHOOK_TIMEOUT_MS: '50' })).toThrow(
      /OUTBOUND_WEBHOOK_TIMEOUT_MS/,
    );
  });

  it('never shows secrets when describing or rejecting the configuration', () => {
    const env = {
      DATABASE_URL: 'postgres://svc:s3cret-pw@db:5432/x',
      INTERNAL_SERVICE_TOKEN: 'tok-0123456789-abcdefghijklmnop',
    };
    const described = JSON.stringify(describeConfig(settings, loadServiceConfig(env)));
    expect(described).not.toContain('s3cret-pw');
    expect(described).not.toContain('tok-0123456789');
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
