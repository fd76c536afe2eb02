#!/usr/bin/env node
'use strict';
let cli;
try {
  // Before anything else loads: the modules below (and those each command loads) then come from V8's code cache.
  require('../dist/compile-cache.js').enable();
  cli = require('../dist/cli/main.js');
} catch (error) {
  // A checkout installed without its build step (`npm ci --ignore-scripts`) has no dist/: say so, not a stack trace.
  if (error && error.code === 'MODULE_NOT_FOUND' && /^Cannot find module '\.\.\/dist\//.test(String(error.message))) {
    process.stderr.write('apiops: not built yet (no dist/): run `npm run build` in the apiops package (`npm ci` does it)\n');
    process.exit(2);
  }
  throw error;
}
cli.runAsProcess();
