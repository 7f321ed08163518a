import { redactUrl, uniqueDatabaseName, uniqueTopicName, withDatabase } from './names';

const fixedHex = () => 'a1b2c3d4';
// The rule libs/contracts applies to stream topics.
const STREAM_TOPIC_NAME = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;

describe('uniqueTopicName', () => {
  it('puts the token in the first segment so a stream name keeps its <domain>.<aggregate>.v<N> shape', () => {
    const name = uniqueTopicName('carrier.tracking.v1', fixedHex);
    expect(name).toBe('carrier-ta1b2c3d4.tracking.v1');
    expect(name).toMatch(STREAM_TOPIC_NAME);
  });

  it('appends the token to a name without dots', () => {
    expect(uniqueTopicName('outbox', fixedHex)).toBe('outbox-ta1b2c3d4');
  });

  it('is different on every call', () => {
    const names = new Set(Array.from({ length: 200 }, () => uniqueTopicName('claims.claim.v1')));
    expect(names.size).toBe(200);
  });

  it('replaces characters Kafka rejects and stays within 249 characters', () => {
    expect(uniqueTopicName('my topic/é.v1', fixedHex)).toBe('my-topic-ta1b2c3d4.v1');
    expect(uniqueTopicName('', fixedHex)).toBe('test-ta1b2c3d4');
    const long = uniqueTopicName(`${'x'.repeat(300)}.tracking.v1`, fixedHex);
    expect(long.length).toBe(249);
    expect(long.endsWith('-ta1b2c3d4.tracking.v1')).toBe(true);
  });
});

describe('uniqueDatabaseName', () => {
  it('is <prefix>_test_<hex>, lower case', () => {
    expect(uniqueDatabaseName('Clearance-Int', fixedHex)).toBe('clearance_int_test_a1b2c3d4');
  });

  it('starts with a letter and fits in 63 bytes', () => {
    expect(uniqueDatabaseName('1st', fixedHex)).toBe('db_1st_test_a1b2c3d4');
    expect(uniqueDatabaseName('', fixedHex)).toBe('db_test_a1b2c3d4');
    const long = uniqueDatabaseName('p'.repeat(100), fixedHex);
    expect(long).toHaveLength(63);
    expect(long.endsWith('_test_a1b2c3d4')).toBe(true);
  });
});

describe('withDatabase', () => {
  it('swaps the database and keeps credentials, host, port and query', () => {
    expect(withDatabase('postgres://app:s3cret@db.example:6432/postgres?sslmode=require', 'x_test_1')).toBe(
      'postgres://app:s3cret@db.example:6432/x_test_1?sslmode=require',
    );
    expect(withDatabase('postgres://postgres@127.0.0.1:5432/postgres', 'y')).toBe(
      'postgres://postgres@127.0.0.1:5432/y',
    );
  });
});

describe('redactUrl', () => {
  it('hides the password only', () => {
    expect(redactUrl('postgres://app:s3cret@h:5432/db')).toBe('postgres://app:***@h:5432/db');
    expect(redactUrl('postgres://app@h:5432/db')).toBe('postgres://app@h:5432/db');
    expect(redactUrl('not a url')).toBe('<unparseable url>');
  });
});
