import { ConfigError, describeConfig } from '@portico/config';
import { loadServiceConfig, settings } from './config';

// The secrets have no defaults on purpose (a forgotten one must lock callers out, not trust a key
// published here); every other setting starts on its local default.
const SECRETS = {
  AUTH_DEV_TOKEN_KEY: 'dev-token-key-0123456789-abcdefghijklmnop',
  AUTH_API_KEY_PEPPERS: 'p1=pepper-0123456789-abcdefghijklmnopqrstuv',
  RECIPIENT_DIGEST_KEYS: 'k1=digest-key-0123456789-abcdefghijklmnopq',
};

describe('notification configuration', () => {
  it('starts on local defaults when only the secrets are given', () => {
    const config = loadServiceConfig(SECRETS);
    expect(config.serviceName).toBe('notification');
    expect(config.httpPort).toBe(3004);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/portico_notification');
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.outboundWebhookTimeoutMs).toBe(5000);
    expect(config.outreachAckSlaMs).toBe(2 * 3600_000);
    expect(config.outreachExpeditedAckSlaMs).toBe(30 * 60_000);
    expect(config.recipientDigestKeys).toEqual([
      { id: 'k1', secret: 'digest-key-0123456789-abcdefghijklmnopq' },
    ]);
    expect(config.apiKeyEnvironment).toBe('test');
  });

  it('names the missing secrets without inventing defaults for them', () => {
    let message = '';
    try {
      loadServiceConfig({});
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('RECIPIENT_DIGEST_KEYS is required');
    expect(message).toContain('AUTH_API_KEY_PEPPERS is required');
  });

  it('reads the operations inbox as <channel>:<address>, none by default, and refuses anything else', () => {
    expect(loadServiceConfig(SECRETS).operationsContact).toBeNull();
    expect(loadServiceConfig(SECRETS).operationsLanguage).toBe('zh');
    expect(
      loadServiceConfig({
        ...SECRETS,
        OPERATIONS_CONTACT: 'email:ops@example.com',
        OPERATIONS_LANGUAGE: 'en',
      }),
    ).toMatchObject({
      operationsContact: { channel: 'email', address: 'ops@example.com' },
      operationsLanguage: 'en',
    });
    expect(
      loadServiceConfig({ ...SECRETS, OPERATIONS_CONTACT: 'wecom:robot-key:1' }).operationsContact,
    ).toEqual({
      channel: 'wecom',
      address: 'robot-key:1',
    });
    let message = '';
    try {
      loadServiceConfig({ ...SECRETS, OPERATIONS_CONTACT: 'fax:+8612345' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('OPERATIONS_CONTACT');
    // A secret setting: the refused value is not repeated.
    expect(message).not.toContain('+8612345');
  });

  it('refuses a bad HTTP_PORT and names the setting', () => {
    expect(() => loadServiceConfig({ ...SECRETS, HTTP_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadServiceConfig({ ...SECRETS, HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT .*\(got "abc"\)/);
  });

  it('validates its own settings', () => {
    expect(() => loadServiceConfig({ ...SECRETS, OUTBOUND_WEBHOOK_TIMEOUT_MS: '50' })).toThrow(
      /OUTBOUND_WEBHOOK_TIMEOUT_MS/,
    );
    expect(() => loadServiceConfig({ ...SECRETS, OUTREACH_ACK_SLA_MS: '10' })).toThrow(/OUTREACH_ACK_SLA_MS/);
    expect(() => loadServiceConfig({ ...SECRETS, RECIPIENT_DIGEST_KEYS: 'k1=short' })).toThrow(
      /RECIPIENT_DIGEST_KEYS/,
    );
  });

  it('keeps a failed message’s steward note 72 h for a re-drive by default, at most 14 days', () => {
    expect(loadServiceConfig(SECRETS).messageRedriveNoteKeepMs).toBe(72 * 3_600_000);
    expect(
      loadServiceConfig({ ...SECRETS, MESSAGE_REDRIVE_NOTE_KEEP_MS: '0' }).messageRedriveNoteKeepMs,
    ).toBe(0);
    expect(() =>
      loadServiceConfig({ ...SECRETS, MESSAGE_REDRIVE_NOTE_KEEP_MS: String(15 * 86_400_000) }),
    ).toThrow(/MESSAGE_REDRIVE_NOTE_KEEP_MS/);
  });

  it('never shows secrets when describing or rejecting the configuration', () => {
    const env = {
      ...SECRETS,
      DATABASE_URL: 'postgres://svc:s3cret-pw@db:5432/x',
      INTERNAL_SERVICE_TOKEN: 'tok-0123456789-abcdefghijklmnop',
    };
    const described = JSON.stringify(describeConfig(settings, loadServiceConfig(env)));
    expect(described).not.toContain('s3cret-pw');
    expect(described).not.toContain('tok-0123456789');
    expect(described).not.toContain('digest-key-0123456789');
    expect(described).not.toContain('pepper-0123456789');
    expect(described).not.toContain('dev-token-key-0123456789');
    expect(described).toContain('"DATABASE_URL":"[secret]"');
    let message = '';
    try {
      loadServiceConfig({
        ...SECRETS,
        DATABASE_URL: 'mysql://svc:s3cret-pw@db/x',
        RECIPIENT_DIGEST_KEYS: 'k1=tiny-secret',
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('s3cret-pw');
    expect(message).not.toContain('tiny-secret');
  });
});
