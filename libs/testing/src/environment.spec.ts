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

  it('reads S3MOCK_ENDPOINT without a trailing slash, and JAVA_HOME', () => {
    const env = readTestEnvironment({ S3MOCK_ENDPOINT: ' http://127.0.0.1:9090/ ', JAVA_HOME: '/opt/jdk' });
    expect(env.s3MockEndpoint).toBe('http://127.0.0.1:9090');
    expect(env.javaHome).toBe('/opt/jdk');
    expect(readTestEnvironment({ S3MOCK_ENDPOINT: ' ', JAVA_HOME: '' })).toMatchObject({
      s3MockEndpoint: undefined,
      javaHome: undefined,
    });
  });
});
