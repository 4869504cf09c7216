import { VigilError, unavailable } from '../../errors';
import { errorField, errorMessage } from '../error-message';

/** Driver and Mongoose error classes that mean "MongoDB cannot be reached right now": retry later, never a 400. */
const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
]);

/** Server codes of a replica set in transition or shutting down (ShutdownInProgress, NotWritablePrimary, …). */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);

/** Mongoose's own words when buffering is off and the connection is not (yet, or any longer) open. */
const UNAVAILABLE_MESSAGES = [/buffering timed out/i, /bufferCommands = false/, /Client must be connected/i, /connection .*closed/i];

/**
 * A unique index refused the write. MongoDB says so with code 11000 everywhere; FerretDB 1.x does too on inserts, but
 * on updates it reports its SQLite back end's own words as an InternalError.
 */
export function isDuplicateKey(err: unknown): boolean {
  const code = errorField(err, 'code');
  return code === 11000 || (code === 1 && /UNIQUE constraint failed/.test(errorMessage(err)));
}

function isUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const name = errorField(err, 'name');
  const code = errorField(err, 'code');
  const message = errorMessage(err);
  if (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) return true;
  if (typeof code === 'number' && UNAVAILABLE_CODES.has(code)) return true;
  if (UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return true;
  // Mongoose wraps the driver's error in `reason`; newer drivers chain it in `cause`.
  return isUnavailable(errorField(err, 'cause'), depth + 1) || isUnavailable(errorField(err, 'reason'), depth + 1);
}

export function toStoreError(err: unknown): unknown {
  if (err instanceof VigilError) return err;
  if (isUnavailable(err)) {
    return unavailable(`MongoDB unavailable: ${errorMessage(err)}`);
  }
  return err;
}

/** Runs one store operation, translating driver failures into VigilErrors the callers understand. */
export async function guard<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw toStoreError(err);
  }
}

export const toDate = (ms: number): Date => new Date(ms);
export const toDateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
export const toMs = (d: Date): number => d.getTime();
/** Missing and null both read as null: documents written before a field existed stay readable. */
export const toMsOrNull = (d: Date | null | undefined): number | null => (d == null ? null : d.getTime());
