import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The package root: the first folder above this file with a package.json. The same answer for the compiled service
 * (dist/src) and for the sources run by tests and `npm run dev`, so shipped files (config/, dist/web/) are found from
 * either.
 */
export const PACKAGE_ROOT: string = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`Cannot find the package root (no package.json above ${__dirname})`);
  }
})();

/** Vigil's version, as package.json says: the OpenAPI document and the CLI's --version report it. */
export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
