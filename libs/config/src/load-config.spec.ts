import { z } from 'zod';
import { ConfigError, describeConfig, loadConfig } from './load-config';
import { schemas, setting } from './settings';

const definition = {
  port: setting('HTTP_PORT', schemas.port.default(3000), 'http port'),
  db: setting('DATABASE_URL', schemas.postgresUrl, 'database', { secret: true }),
  brokers: setting('KAFKA_BROKERS', schemas.brokerList, 'brokers'),
  mode: setting('MODE', z.enum(['a', 'b']).default('a'), 'mode'),
};

describe('loadConfig', () => {
  it('parses and coerces valid settings and applies defaults', () => {
    const config = loadConfig('svc', definition, {
      DATABASE_URL: 'postgres://u:p@h:5432/db',
      KAFKA_BROKERS: 'a:9092, b:9093',
    });
    expect(config).toEqual({
      port: 3000,
      db: 'postgres://u:p@h:5432/db',
      brokers: ['a:9092', 'b:9093'],
      mode: 'a',
    });
  });

  it('names every missing or invalid setting in one error', () => {
    let error: unknown;
    try {
      loadConfig('svc', definition, { HTTP_PORT: '99999', KAFKA_BROKERS: 'nohostport' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('svc cannot start');
    expect(message).toMatch(/HTTP_PORT .*\(got "99999"\)/);
    expect(message).toMatch(/DATABASE_URL is required/);
    expect(message).toMatch(/KAFKA_BROKERS .*host:port/);
  });

  it('never echoes a secret value in an error', () => {
    expect(() =>
      loadConfig('svc', definition, { DATABASE_URL: 'mysql://secret-password@h', KAFKA_BROKERS: 'a:1' }),
    ).toThrow(/DATABASE_URL must be a postgres/);
    try {
      loadConfig('svc', definition, { DATABASE_URL: 'mysql://secret-password@h', KAFKA_BROKERS: 'a:1' });
    } catch (e) {
      expect((e as Error).message).not.toContain('secret-password');
    }
  });

  it('describes the configuration with secrets masked', () => {
    const config = loadConfig('svc', definition, {
      DATABASE_URL: 'postgres://u:pw@h/db',
      KAFKA_BROKERS: 'a:1',
    });
    expect(describeConfig(definition, config)).toEqual({
      HTTP_PORT: 3000,
      DATABASE_URL: '[secret]',
      KAFKA_BROKERS: ['a:1'],
      MODE: 'a',
    });
  });
});
