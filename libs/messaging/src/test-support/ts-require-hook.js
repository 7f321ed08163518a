/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point for plain node, by design */
// Lets plain `node` run this repository's TypeScript without a build (child processes in the
// crash tests, the outbox benchmark): .ts files are compiled on require with swc (same settings
// as jest.preset.js, decorator metadata included) and @portico/<lib> resolves to the library's
// sources. Not for production: services run their swc-built dist/.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const repoRoot = path.resolve(__dirname, '../../../..');
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

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolvePortico(request, ...rest) {
  // `@portico/<lib>` and subpath entry points such as `@portico/testing/platform`
  const match = /^@portico\/([a-z-]+)(?:\/([a-z-]+))?$/.exec(request);
  const target = match ? path.join(repoRoot, 'libs', match[1], 'src', `${match[2] ?? 'index'}.ts`) : request;
  return originalResolve.call(this, target, ...rest);
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...swcOptions, filename });
  module._compile(code, filename);
};
process.setSourceMapsEnabled(true);
