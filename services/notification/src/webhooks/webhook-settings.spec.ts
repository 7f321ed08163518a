import { loadServiceConfig } from '../config';
import { DEFAULT_RETRY_SCHEDULE_MS } from './retry-schedule';

const SECRETS = {
  AUTH_DEV_TOKEN_KEY: 'dev-token-key-0123456789-abcdefghijklmnop',
  AUTH_API_KEY_PEPPERS: 'p1=pepper-0123456789-abcdefghijklmnopqrstuv',
  RECIPIENT_DIGEST_KEYS: 'k1=digest-key-0123456789-abcdefghijklmnopq',
};

describe('webhook settings', () => {
  it('defaults to https only, no private targets, the standard schedule and no secrets key', () => {
    const c = loadServiceConfig(SECRETS);
    expect(c.webhookAllowHttp).toBe(false);
    expect(c.webhookAllowedPrivateNetworks.check('127.0.0.1')).toBe(false);
    expect(c.webhookRetryScheduleMs).toEqual(DEFAULT_RETRY_SCHEDULE_MS);
    expect(c.webhookSecretOverlapMs).toBe(86_400_000);
    expect(c.webhookAutoDisableAfterMs).toBe(5 * 86_400_000);
    expect(c.webhookSecretsKeys).toBeUndefined();
  });

  it('reads a test set-up', () => {
    const c = loadServiceConfig({
      ...SECRETS,
      WEBHOOK_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_PRIVATE_NETWORKS: '127.0.0.1/32',
      WEBHOOK_RETRY_SCHEDULE_MS: '50, 100,200',
    });
    expect(c.webhookSecretsKeys).toEqual([{ id: 'k1', key: Buffer.alloc(32, 7) }]);
    expect(c.webhookAllowHttp).toBe(true);
    expect(c.webhookAllowedPrivateNetworks.check('127.0.0.1')).toBe(true);
    expect(c.webhookRetryScheduleMs).toEqual([50, 100, 200]);
  });

  it('refuses bad values, naming the setting but not repeating a secret', () => {
    const secret = 'bm90LTMyLWJ5dGVz';
    let message = '';
    try {
      loadServiceConfig({
        ...SECRETS,
        WEBHOOK_SECRETS_KEY: secret,
        WEBHOOK_ALLOW_HTTP: 'maybe',
        WEBHOOK_ALLOWED_PRIVATE_NETWORKS: '10.0.0.0/40',
        WEBHOOK_RETRY_SCHEDULE_MS: '5000,soon',
      });
    } catch (e) {
      message = (e as Error).message;
    }
    for (const name of [
      'WEBHOOK_SECRETS_KEY',
      'WEBHOOK_ALLOW_HTTP',
      'WEBHOOK_ALLOWED_PRIVATE_NETWORKS',
      'WEBHOOK_RETRY_SCHEDULE_MS',
    ])
      expect(message).toContain(name);
    expect(message).not.toContain(secret);
  });
});
