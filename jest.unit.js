// Unit tests: *.spec.ts beside the code; no broker, no database.
module.exports = { ...require('./jest.preset'), testMatch: ['**/src/**/*.spec.ts'] };
