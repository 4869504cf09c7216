/// <reference types="node" />
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StorageAdapter } from './storage.js';

/**
 * Node: one file per key under `dir` (created if missing). Writes go to a temporary file renamed over the old one,
 * so a crash mid-write leaves the previous queue, never half a document.
 */
export function fileStorage(dir: string): StorageAdapter {
  const fileOf = (key: string) => path.join(dir, `${encodeURIComponent(key)}.json`);
  let writes = 0;
  return {
    async getItem(key) {
      try {
        return await readFile(fileOf(key), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async setItem(key, value) {
      await mkdir(dir, { recursive: true });
      const temp = `${fileOf(key)}.${process.pid}.${writes++}.tmp`;
      await writeFile(temp, value, 'utf8');
      await rename(temp, fileOf(key));
    },
    async removeItem(key) {
      await rm(fileOf(key), { force: true });
    },
  };
}

export type { StorageAdapter } from './storage.js';
