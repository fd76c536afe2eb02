#!/usr/bin/env node
'use strict';
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (error) {
  // A checkout installed without its build step (`npm ci --ignore-scripts`) has no dist/: say so, not a stack trace.
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).startsWith("Cannot find module '../dist/cli/main.js'")) {
    process.stderr.write('apiops: not built yet (no dist/): run `npm run build` in the apiops package (`npm ci` does it)\n');
    process.exit(2);
  }
  throw error;
}
cli.runFromProcess();
