/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point for plain node, by design */
// Plain-node entry for the notify benchmark (`npm run bench:notify`): compiles the TypeScript
// on require with swc, no build step (the service under test runs from its own dist/).
'use strict';
require('../../libs/messaging/src/test-support/ts-require-hook.js');
require('./notify.bench.ts');
