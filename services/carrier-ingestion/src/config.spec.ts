import { ConfigError, describeConfig } from '@portico/config';
import { loadServiceConfig, settings } from './config';

const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');

// The secrets have no defaults on purpose (a forgotten one must fail the start, not fall back to a
// key published here); every other setting starts on its local default.
const SECRETS = {
  AUTH_DEV_TOKEN_KEY: 'dev-token-key-0123456789-abcdefghijklmnop',
  RECIPIENT_DIGEST_KEYS: 'k1=digest-key-0123456789-abcdefghijklmnopq',
  CARRIER_SECRETS_KEY: KEY_A,
};

function problemsOf(env: Record<string, string>): string {
  try {
    loadServiceConfig(env);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

describe('carrier-ingestion configuration', () => {
  it('starts on local defaults when only the secrets are given', () => {
    const config = loadServiceConfig(SECRETS);
    expect(config.serviceName).toBe('carrier-ingestion');
    expect(config.httpPort).toBe(3001);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/portico_carrier_ingestion');
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.webhookDedupeWindowHours).toBe(192);
    expect(config.webhookRawRetentionDays).toBe(30);
    expect(config.databasePreparedStatements).toBe(true);
    expect(config.webhookGroupCommits).toBe(4);
    expect(config.recipientDigestKeys).toEqual([
      { id: 'k1', secret: 'digest-key-0123456789-abcdefghijklmnopq' },
    ]);
    expect(config.carrierSecretsKeys).toEqual([{ id: 'k1', key: Buffer.alloc(32, 0xa1) }]);
    expect(config.authDevTokenKey).toBe(SECRETS.AUTH_DEV_TOKEN_KEY);
  });

  it('turns prepared statements off for transaction-mode poolers, and refuses a vague value', () => {
    expect(
      loadServiceConfig({ ...SECRETS, DATABASE_PREPARED_STATEMENTS: 'false' }).databasePreparedStatements,
    ).toBe(false);
    expect(problemsOf({ ...SECRETS, DATABASE_PREPARED_STATEMENTS: 'off' })).toContain(
      'DATABASE_PREPARED_STATEMENTS',
    );
  });

  it('takes 1 to 8 group commits in flight, nothing else', () => {
    expect(loadServiceConfig({ ...SECRETS, WEBHOOK_GROUP_COMMITS: '2' }).webhookGroupCommits).toBe(2);
    for (const bad of ['0', '9', '1.5', 'many']) {
      expect(problemsOf({ ...SECRETS, WEBHOOK_GROUP_COMMITS: bad })).toContain('WEBHOOK_GROUP_COMMITS');
    }
  });

  it('names the missing secrets without inventing defaults for them', () => {
    const message = problemsOf({});
    expect(message).toContain('RECIPIENT_DIGEST_KEYS is required');
    expect(message).toContain('CARRIER_SECRETS_KEY is required');
  });

  it('refuses a bad HTTP_PORT and names the setting', () => {
    expect(() => loadServiceConfig({ ...SECRETS, HTTP_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadServiceConfig({ ...SECRETS, HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT .*\(got "abc"\)/);
  });

  it('validates its own settings', () => {
    expect(() => loadServiceConfig({ ...SECRETS, WEBHOOK_DEDUPE_WINDOW_HOURS: '167' })).toThrow(
      /WEBHOOK_DEDUPE_WINDOW_HOURS/,
    );
    expect(() => loadServiceConfig({ ...SECRETS, WEBHOOK_RAW_RETENTION_DAYS: '0' })).toThrow(
      /WEBHOOK_RAW_RETENTION_DAYS/,
    );
  });

  describe('CARRIER_SECRETS_KEY', () => {
    it('takes id=key pairs, newest first, for key rotation', () => {
      const config = loadServiceConfig({ ...SECRETS, CARRIER_SECRETS_KEY: `k2=${KEY_B}, k1=${KEY_A}` });
      expect(config.carrierSecretsKeys.map((k) => k.id)).toEqual(['k2', 'k1']);
      expect(config.carrierSecretsKeys[0]!.key).toEqual(Buffer.alloc(32, 0xb2));
    });

    it.each([
      ['a key of the wrong length', Buffer.alloc(16, 1).toString('base64'), /must be 32 bytes/],
      ['text that is not base64', 'not base64 at all!', /must be 32 bytes/],
      ['several keys without ids', `${KEY_A},${KEY_B}`, /each must be id=base64key/],
      ['the same id twice', `k1=${KEY_A},k1=${KEY_B}`, /appears twice/],
    ])('refuses %s without echoing it', (_label, value, reason) => {
      const message = problemsOf({ ...SECRETS, CARRIER_SECRETS_KEY: value });
      expect(message).toMatch(/CARRIER_SECRETS_KEY/);
      expect(message).toMatch(reason);
      expect(message).not.toContain(KEY_A);
      expect(message).not.toContain(value);
    });
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
    expect(described).not.toContain('dev-token-key-0123456789');
    expect(described).not.toContain(KEY_A);
    expect(described).toContain('"DATABASE_URL":"[secret]"');
    expect(described).toContain('"CARRIER_SECRETS_KEY":"[secret]"');
    const message = problemsOf({ ...SECRETS, DATABASE_URL: 'mysql://svc:s3cret-pw@db/x' });
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('s3cret-pw');
  });
});
