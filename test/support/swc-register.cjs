/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS require hook loads before any TypeScript can */
/* global require */
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

/**
 * Lets a child process run the TypeScript sources the way jest does (swc, no type check), with no build step, so a
 * test can start and SIGKILL a real worker process: `node -r ./test/support/swc-register.cjs file.ts`.
 */
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

// The SDK's sources import each other as `./x.js` (what its ESM build needs): without a built file, that is `./x.ts`.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  try {
    return resolveFilename.call(this, request, parent, ...rest);
  } catch (err) {
    if (!/^\.{1,2}\/.*\.js$/.test(request)) throw err;
    return resolveFilename.call(this, request.replace(/\.js$/, '.ts'), parent, ...rest);
  }
};
