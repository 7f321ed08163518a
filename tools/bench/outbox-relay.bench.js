/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point for plain node, by design */
// Plain-node entry for the outbox benchmark (`node tools/bench/outbox-relay.bench.js`): compiles
// the TypeScript on require with swc, no build step or register package needed.
'use strict';
require('../../libs/messaging/src/test-support/ts-require-hook.js');
require('./outbox-relay.bench.ts');
