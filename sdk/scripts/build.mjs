/**
 * Builds dist/: ESM (dist/esm) and CommonJS (dist/cjs) with their type declarations, each folder marked with its
 * module type so Node and TypeScript read both right, and a minified browser build (dist/browser/vigil.min.js, the
 * global `Vigil`). Run by `npm install` at the repository root and by `npm pack`; `--browser-only` rebuilds just the
 * browser file (a fraction of a second: the browser test runs it so that it always loads the current sources).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** What the browser build must run on: React Native's Hermes and browsers a few years old. */
const BROWSER_BUILD = {
  entryPoints: [path.join(root, 'src', 'index.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: 'Vigil',
  target: ['es2019'],
  legalComments: 'none',
};

function compile(outDir, moduleOptions, type) {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json'), '--outDir', path.join(dist, outDir), ...moduleOptions], {
    stdio: 'inherit',
  });
  writeFileSync(path.join(dist, outDir, 'package.json'), `${JSON.stringify({ type }, null, 2)}\n`);
}

if (!process.argv.includes('--browser-only')) {
  rmSync(dist, { recursive: true, force: true });
  compile('cjs', ['--module', 'node16', '--moduleResolution', 'node16'], 'commonjs');
  compile('esm', ['--module', 'es2020', '--moduleResolution', 'bundler'], 'module');
}
mkdirSync(path.join(dist, 'browser'), { recursive: true });
await build({ ...BROWSER_BUILD, outfile: path.join(dist, 'browser', 'vigil.min.js'), sourcemap: true });
