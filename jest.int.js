// Integration tests: *.int-spec.ts against a real Kafka broker and real Postgres (see libs/testing).
module.exports = {
  ...require('./jest.preset'),
  testMatch: ['**/*.int-spec.ts'],
  testTimeout: 120_000,
  // One file at a time per project: files share one broker and one Postgres on a 2-core machine.
  maxWorkers: 1,
};
