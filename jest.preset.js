// Shared Jest settings: TypeScript through swc (fast, keeps decorator metadata for Nest DI),
// and @portico/* resolved to library sources so tests never depend on a prior build.
const path = require('node:path');

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    // ESM-style relative specifiers (`import('./x.js')`, what tsc's node16 resolution wants) resolve to the .ts source
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@portico/([a-z-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
    // subpath entry points (`@portico/observability/tracing`, `@portico/testing/platform`)
    '^@portico/([a-z-]+)/([a-z0-9-]+)$': path.join(__dirname, 'libs/$1/src/$2.ts'),
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
