/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point for plain node, by design */
// Plain-node entry for the claims benchmark (`npm run bench:claims`): compiles the TypeScript on
// require with swc, no build step (the service under test runs from its own dist/).
'use strict';
require('../../libs/messaging/src/test-support/ts-require-hook.js');
require('./claims.bench.ts');
