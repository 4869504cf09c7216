import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function makeTempDir(name: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `vigil-${name}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
