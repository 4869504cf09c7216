import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { VigilError } from '../../errors';
import { migrate } from './migrations';
import { errorField, errorMessage } from '../error-message';

export const DB_FILE_NAME = 'vigil.sqlite';

/**
 * How long a write waits for another process (API vs worker on one DATA_DIR) to release the lock before failing
 * with `unavailable`. Writes hold the lock for well under a millisecond, so reaching this means something is stuck.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface OpenedDatabase {
  db: Database.Database;
  file: string;
  migratedFrom: number;
  version: number;
}

function reason(err: unknown): string {
  const code = errorField(err, 'code') === undefined ? '' : ` [${String(errorField(err, 'code'))}]`;
  return `${errorMessage(err)}${code}`;
}

/**
 * Opens (creating when needed) and migrates the embedded database. Every failure becomes one readable
 * VigilError('unavailable') that names the file and what to check, because this is what an operator sees at start-up.
 */
export function openDatabase(dataDir: string, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): OpenedDatabase {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, DB_FILE_NAME);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new VigilError(
      'unavailable',
      `Cannot create the embedded store directory ${dir} (DATA_DIR): ${reason(err)}. Point DATA_DIR at a writable directory.`,
      { file },
    );
  }
  let db: Database.Database | undefined;
  try {
    restrictToOwner(file);
    db = new Database(file, { timeout: busyTimeoutMs });
    // The first statement reads the header: a file that is not SQLite fails here with SQLITE_NOTADB.
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${Math.floor(busyTimeoutMs)}`);
    db.pragma('foreign_keys = ON');
    // With WAL, NORMAL keeps the database consistent after a crash and only risks the last commits on power loss.
    db.pragma('synchronous = NORMAL');
    const { from, to } = migrate(db);
    return { db, file, migratedFrom: from, version: to };
  } catch (err) {
    db?.close();
    throw new VigilError(
      'unavailable',
      `Cannot open the embedded store ${file}: ${reason(err)}. Check that DATA_DIR is writable and that the file is a Vigil SQLite database.`,
      { file },
    );
  }
}

/**
 * The database holds channel secrets and key hashes: owner-only (0600). SQLite gives its -wal and -shm files the
 * main file's mode, so creating the file 0600 before SQLite does covers them; files left 0644 by an older version
 * are tightened too.
 */
function restrictToOwner(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function parseJsonOrNull<T>(text: string | null): T | null {
  return text === null ? null : parseJson<T>(text);
}
