import { ConfigError, describeConfig } from '@portico/config';
import { loadServiceConfig, settings } from './config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const BASE = { VAULT_KEKS: `k1=${KEY}`, RECIPIENT_DIGEST_KEYS: `k1=${'d'.repeat(32)}` };

describe('id-vault configuration', () => {
  it('refuses to start without its own key-encryption keys, and never echoes key material', () => {
    expect(() => loadServiceConfig({ RECIPIENT_DIGEST_KEYS: BASE.RECIPIENT_DIGEST_KEYS })).toThrow(
      /VAULT_KEKS/,
    );
    const short = Buffer.alloc(16, 9).toString('base64');
    let message = '';
    try {
      loadServiceConfig({ ...BASE, VAULT_KEKS: `k1=${short}` });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('32 bytes');
    expect(message).not.toContain(short);
  });

  it('starts on local defaults once its keys are given', () => {
    const config = loadServiceConfig(BASE);
    expect(config.keyEncryptionKeys.activeKeyId).toBe('k1');
    expect(config.uploadLinkTtlMinutes).toBe(4_320);
    expect(config.serviceName).toBe('id-vault');
    expect(config.httpPort).toBe(3003);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/portico_id_vault');
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.purgeAfterDays).toBe(7);
  });

  it('refuses a bad HTTP_PORT and names the setting', () => {
    expect(() => loadServiceConfig({ ...BASE, HTTP_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadServiceConfig({ ...BASE, HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT .*\(got "abc"\)/);
  });

  it('validates its own settings', () => {
    expect(() => loadServiceConfig({ ...BASE, VAULT_PURGE_AFTER_DAYS: '30' })).toThrow(
      /VAULT_PURGE_AFTER_DAYS/,
    );
  });

  it('never shows secrets when describing or rejecting the configuration', () => {
    const env = {
      ...BASE,
      DATABASE_URL: 'postgres://svc:s3cret-pw@db:5432/x',
      INTERNAL_SERVICE_TOKEN: 'tok-0123456789-abcdefghijklmnop',
    };
    const described = JSON.stringify(describeConfig(settings, loadServiceConfig(env)));
    expect(described).not.toContain('s3cret-pw');
    expect(described).not.toContain('tok-0123456789');
    expect(described).not.toContain(KEY);
    expect(described).toContain('"DATABASE_URL":"[secret]"');
    let message = '';
    try {
      loadServiceConfig({ ...BASE, DATABASE_URL: 'mysql://svc:s3cret-pw@db/x' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('s3cret-pw');
  });
});
