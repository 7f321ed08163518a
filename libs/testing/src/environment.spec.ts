import { readTestEnvironment } from './environment';

describe('readTestEnvironment', () => {
  it('splits KAFKA_BROKERS and trims blanks', () => {
    expect(
      readTestEnvironment({ KAFKA_BROKERS: ' a:9092, b:9092 ,', DATABASE_URL: ' postgres://x/y ' }),
    ).toEqual({
      kafkaBrokers: ['a:9092', 'b:9092'],
      databaseUrl: 'postgres://x/y',
    });
  });

  it('treats unset and empty variables alike', () => {
    expect(readTestEnvironment({})).toEqual({ kafkaBrokers: undefined, databaseUrl: undefined });
    expect(readTestEnvironment({ KAFKA_BROKERS: ' , ', DATABASE_URL: '' })).toEqual({
      kafkaBrokers: undefined,
      databaseUrl: undefined,
    });
  });
});
