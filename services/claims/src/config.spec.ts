import { ConfigError, describeConfig } from '@portico/config';
import { loadServiceConfig, settings } from './config';

// The settings without a default (auth keys): local deployments generate them (deploy/local).
const required = {
  AUTH_DEV_TOKEN_KEY: 'dev-token-key-0123456789-abcdefghijklmnop',
  AUTH_API_KEY_PEPPERS: 'p1=pepper-0123456789-abcdefghijklmnopqrstuv',
};

describe('claims configuration', () => {
  it('starts on local defaults with only the auth keys set', () => {
    const config = loadServiceConfig(required);
    expect(config.serviceName).toBe('claims');
    expect(config.httpPort).toBe(3005);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/portico_claims');
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.lostParcelStallDays).toBe(7);
    expect(config.lostParcelStallDaysInternational).toBe(20);
    expect(config.pastEstimatedDeliveryHours).toBe(48);
    expect(config.carrierChannels).toEqual({});
  });

  it('refuses a bad HTTP_PORT and names the setting', () => {
    expect(() => loadServiceConfig({ ...required, HTTP_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadServiceConfig({ ...required, HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT .*\(got "abc"\)/);
  });

  it('validates its own settings', () => {
    expect(() => loadServiceConfig({ ...required, LOST_PARCEL_STALL_DAYS: '0' })).toThrow(
      /LOST_PARCEL_STALL_DAYS/,
    );
    expect(() =>
      loadServiceConfig({ ...required, CLAIMS_CARRIER_CHANNELS: '{"dhl":{"channel":"fax"}}' }),
    ).toThrow(/CLAIMS_CARRIER_CHANNELS/);
    const config = loadServiceConfig({
      ...required,
      CLAIMS_CARRIER_CHANNELS:
        '{"dhl":{"channel":"api","baseUrl":"https://claims.example","apiKey":"k-0123456789"},"default":{"channel":"email","to":"claims@carrier.example"}}',
    });
    expect(config.carrierChannels['dhl']?.channel).toBe('api');
  });

  it("gates evidence uploads and shapes residents' evidence links", () => {
    const defaults = loadServiceConfig(required);
    expect(defaults).toMatchObject({
      uploadConcurrency: 1,
      uploadQueueTimeoutMs: 15_000,
      publicUrl: 'http://127.0.0.1:3005',
      evidenceLinkTtlHours: 72,
      evidenceLinkMaxUploads: 10,
    });
    expect(loadServiceConfig({ ...required, CLAIMS_PUBLIC_URL: 'https://claims.example/' }).publicUrl).toBe(
      'https://claims.example',
    );
    expect(() => loadServiceConfig({ ...required, CLAIMS_UPLOAD_CONCURRENCY: '0' })).toThrow(
      /CLAIMS_UPLOAD_CONCURRENCY/,
    );
    expect(() => loadServiceConfig({ ...required, CLAIMS_UPLOAD_QUEUE_TIMEOUT_MS: '10' })).toThrow(
      /CLAIMS_UPLOAD_QUEUE_TIMEOUT_MS/,
    );
    expect(() => loadServiceConfig({ ...required, CLAIMS_PUBLIC_URL: 'not a url' })).toThrow(
      /CLAIMS_PUBLIC_URL/,
    );
    expect(() => loadServiceConfig({ ...required, CLAIMS_EVIDENCE_LINK_MAX_UPLOADS: '0' })).toThrow(
      /CLAIMS_EVIDENCE_LINK_MAX_UPLOADS/,
    );
  });

  it('never shows secrets when describing or rejecting the configuration', () => {
    const env = {
      ...required,
      DATABASE_URL: 'postgres://svc:s3cret-pw@db:5432/x',
      INTERNAL_SERVICE_TOKEN: 'tok-0123456789-abcdefghijklmnop',
      CLAIMS_CARRIER_CHANNELS:
        '{"dhl":{"channel":"api","baseUrl":"https://claims.example","apiKey":"carrier-key-42xyz"}}',
    };
    const described = JSON.stringify(describeConfig(settings, loadServiceConfig(env)));
    expect(described).not.toContain('s3cret-pw');
    expect(described).not.toContain('tok-0123456789');
    expect(described).not.toContain('carrier-key-42xyz');
    expect(described).toContain('"DATABASE_URL":"[secret]"');
    let message = '';
    try {
      loadServiceConfig({ ...required, DATABASE_URL: 'mysql://svc:s3cret-pw@db/x' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('s3cret-pw');
  });
});
