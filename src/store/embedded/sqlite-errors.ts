import { VigilError, unavailable } from '../../errors';
import { errorField, errorMessage } from '../error-message';

/**
 * SQLite result codes that mean "the database cannot serve us right now" (locked by another process past
 * busy_timeout, disk full or failing, file unreadable): a retryable 503, never a client error.
 */
const UNAVAILABLE_PREFIXES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_PERM',
  'SQLITE_NOMEM',
];

function sqliteCode(err: unknown): string | undefined {
  const code = errorField(err, 'code');
  return typeof code === 'string' ? code : undefined;
}

export function isUniqueViolation(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function toStoreError(err: unknown): Error {
  if (err instanceof VigilError) return err;
  const code = sqliteCode(err);
  const message = errorMessage(err);
  if (code && UNAVAILABLE_PREFIXES.some((p) => code.startsWith(p))) {
    return unavailable(`embedded store unavailable (${code}): ${message}`);
  }
  // better-sqlite3 throws a TypeError once close() ran: a request racing shutdown should be retried elsewhere.
  if (/database connection is not open/i.test(message)) {
    return unavailable('embedded store is closed');
  }
  return err instanceof Error ? err : new Error(message);
}

/** Runs one store operation, translating driver failures into VigilErrors the callers understand. */
export function guard<T>(op: () => T): Promise<T> {
  try {
    return Promise.resolve(op());
  } catch (err) {
    return Promise.reject(toStoreError(err));
  }
}
