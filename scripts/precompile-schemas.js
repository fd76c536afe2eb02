#!/usr/bin/env node
'use strict';
// Part of `npm run build`, after tsc: writes the schemas' validators as code beside dist/repo/schemas.js, so that
// `apiops validate` loads them instead of compiling the schemas at every start (src/repo/schemas.ts, validatorsCode).
const fs = require('fs');
const path = require('path');
const { PRECOMPILED_MODULE, validatorsCode } = require('../dist/repo/schemas.js');

fs.writeFileSync(path.join(__dirname, '..', 'dist', 'repo', `${PRECOMPILED_MODULE}.js`), validatorsCode());
