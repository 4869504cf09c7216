import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../logger';

/**
 * The operator token: ADMIN_TOKEN when set; otherwise one generated on first start and kept in DATA_DIR (mode 0600),
 * so API and worker processes sharing the directory agree, and restarts keep it. Its location is logged, never its
 * value.
 */
export function resolveAdminToken(config: Config, logger: Logger): string {
  if (config.adminToken) return config.adminToken;
  const file = path.join(config.dataDir, 'admin-token');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 16) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  try {
    // 'wx' fails if another process created it meanwhile: then theirs wins and we read it.
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    logger.info({ file }, 'ADMIN_TOKEN not set: generated an admin token and stored it in this file (read it with: cat)');
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
}
