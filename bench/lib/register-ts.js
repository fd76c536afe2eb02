'use strict';
// Lets benches require the TypeScript sources directly: each .ts file is transpiled on load (no type check, like
// ts-jest's isolatedModules), so a bench runs the current tree without a separate build step.
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  });
  module._compile(outputText, filename);
};
