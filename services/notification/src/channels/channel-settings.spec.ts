import { ConfigError, describeConfig } from '@portico/config';
import { memoryLogger } from '../test-support';
import { loadServiceConfig, settings } from '../config';
import { channelsFromConfig } from './channel-registry';

const SECRETS = {
  AUTH_DEV_TOKEN_KEY: 'dev-token-key-0123456789-abcdefghijklmnop',
  AUTH_API_KEY_PEPPERS: 'p1=pepper-0123456789-abcdefghijklmnopqrstuv',
  RECIPIENT_DIGEST_KEYS: 'k1=digest-key-0123456789-abcdefghijklmnopq',
};

describe('channel settings', () => {
  it('leaves every channel off by default and says which setting switches each on', () => {
    const config = loadServiceConfig(SECRETS);
    const log = memoryLogger();
    const channels = channelsFromConfig(config, log.logger);
    expect(channels.enabledKinds()).toEqual([]);
    for (const setting of [
      'SMTP_HOST',
      'SMS_GATEWAY_URL',
      'WECOM_ROBOT_BASE_URL',
      'DINGTALK_ROBOT_BASE_URL',
      'VAPID_PUBLIC_KEY',
      'WECOM_APP_BASE_URL',
    ])
      expect(log.text()).toContain(`"setting":"${setting}"`);
    expect(config.messageRetryDelaysMs).toEqual([30_000, 120_000, 600_000]);
  });

  it('switches channels on from their settings', () => {
    const config = loadServiceConfig({
      ...SECRETS,
      SMTP_HOST: '127.0.0.1',
      SMS_GATEWAY_URL: 'https://dysmsapi.aliyuncs.com',
      SMS_ACCESS_KEY_ID: 'LTAI',
      SMS_ACCESS_KEY_SECRET: 'secret',
      SMS_TEMPLATE_CODES: 'resident-documents-requested@1/zh=SMS_1,resident-documents-requested@1/en=SMS_2',
      WECOM_ROBOT_BASE_URL: 'https://qyapi.weixin.qq.com',
      WECOM_APP_BASE_URL: 'https://qyapi.weixin.qq.com',
      WECOM_APP_CORP_ID: 'ww1',
      WECOM_APP_AGENT_ID: '1000002',
      WECOM_APP_SECRET: 'app-secret',
      MESSAGE_RETRY_DELAYS_MS: '100, 200',
    });
    expect(channelsFromConfig(config).enabledKinds().sort()).toEqual(['email', 'sms', 'wecom', 'wecom_app']);
    expect(config.messageRetryDelaysMs).toEqual([100, 200]);
  });

  it('refuses half-configured channels at start, naming the settings', () => {
    expect(() => loadServiceConfig({ ...SECRETS, SMS_GATEWAY_URL: 'https://dysmsapi.aliyuncs.com' })).toThrow(
      /SMS_ACCESS_KEY_ID and SMS_ACCESS_KEY_SECRET are required/,
    );
    expect(() => loadServiceConfig({ ...SECRETS, VAPID_PUBLIC_KEY: 'abc' })).toThrow(ConfigError);
    expect(() =>
      loadServiceConfig({
        ...SECRETS,
        WECOM_APP_BASE_URL: 'https://qyapi.weixin.qq.com',
        WECOM_APP_CORP_ID: 'ww1',
      }),
    ).toThrow(/WECOM_APP_CORP_ID, WECOM_APP_AGENT_ID and WECOM_APP_SECRET are required/);
    expect(() => loadServiceConfig({ ...SECRETS, VAULT_INTERNAL_URL: 'http://127.0.0.1:3003' })).toThrow(
      /VAULT_SERVICE_TOKEN/,
    );
    expect(() => loadServiceConfig({ ...SECRETS, SMS_TEMPLATE_CODES: 'nonsense' })).toThrow(
      /SMS_TEMPLATE_CODES/,
    );
    expect(() => loadServiceConfig({ ...SECRETS, DINGTALK_ROBOT_SECRETS: 'tok=notsec' })).toThrow(
      /DINGTALK_ROBOT_SECRETS/,
    );
  });

  it('marks the channel secrets as secrets', () => {
    const config = loadServiceConfig({
      ...SECRETS,
      SMTP_USER: 'u',
      SMTP_PASSWORD: 'smtp-pw',
      VAULT_INTERNAL_URL: 'http://127.0.0.1:3003',
      VAULT_SERVICE_TOKEN: 'vault-token',
      VAPID_PUBLIC_KEY: 'pub',
      VAPID_PRIVATE_KEY: 'vapid-private',
      WECOM_APP_SECRET: 'wecom-app-secret',
      SMS_REPORT_TOKEN: 'r'.repeat(43),
      EMAIL_DSN_TOKEN: 'd'.repeat(43),
    });
    const shown = JSON.stringify(describeConfig(settings, config));
    for (const secret of [
      'smtp-pw',
      'vault-token',
      'vapid-private',
      'wecom-app-secret',
      'r'.repeat(43),
      'd'.repeat(43),
    ])
      expect(shown).not.toContain(secret);
  });
});
