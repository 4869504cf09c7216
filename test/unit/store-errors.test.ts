import { VigilError } from '../../src/errors';
import { toStoreError as fromSqlite } from '../../src/store/embedded/sqlite-errors';
import { isDuplicateKey, toStoreError as fromMongo } from '../../src/store/mongo/mongo-errors';

/** Error shapes as the drivers throw them (name / code / message), to pin the mapping without a database. */
const driverError = (name: string, message: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(message), { name, ...extra });

describe('store error mapping', () => {
  it.each([
    ['SQLITE_BUSY', 'database is locked'],
    ['SQLITE_IOERR_WRITE', 'disk I/O error'],
    ['SQLITE_FULL', 'database or disk is full'],
    ['SQLITE_READONLY', 'attempt to write a readonly database'],
  ])('when SQLite fails with %s, then it becomes a retryable unavailable', (code, message) => {
    const mapped = fromSqlite(driverError('SqliteError', message, { code }));
    expect(mapped).toBeInstanceOf(VigilError);
    expect(mapped).toMatchObject({ code: 'unavailable', status: 503, retryable: true });
  });

  it('when SQLite reports a constraint or a bug, then the error passes through unchanged', () => {
    const constraint = driverError('SqliteError', 'CHECK constraint failed', { code: 'SQLITE_CONSTRAINT_CHECK' });
    expect(fromSqlite(constraint)).toBe(constraint);
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['MongoServerSelectionError', 'connect ECONNREFUSED 127.0.0.1:27017', {}],
    ['MongooseServerSelectionError', 'connect ECONNREFUSED 127.0.0.1:27017', {}],
    ['MongoNetworkError', 'connection 3 to 10.0.0.5:27017 closed', {}],
    ['MongooseError', 'Cannot call `incidents.findOne()` before initial connection is complete if `bufferCommands = false`.', {}],
    ['MongoServerError', 'not primary', { code: 10107 }],
  ])('when Mongo fails with %s, then it becomes a retryable unavailable', (name, message, extra) => {
    expect(fromMongo(driverError(name, message, extra))).toMatchObject({ code: 'unavailable', retryable: true });
  });

  it('when Mongo rejects a document or a query, then it is not disguised as an outage', () => {
    const validation = driverError('ValidationError', 'Incident validation failed: status: `x` is not a valid enum value');
    const duplicate = driverError('MongoServerError', 'E11000 duplicate key error', { code: 11000 });
    expect(fromMongo(validation)).toBe(validation);
    expect(fromMongo(duplicate)).toBe(duplicate);
  });

  it('when a unique index refuses a write, then it is a duplicate key on MongoDB and on FerretDB alike', () => {
    const mongo = driverError('MongoServerError', 'E11000 duplicate key error collection: vigil.apps', { code: 11000 });
    // FerretDB 1.x on an update: its SQLite back end's words, as an InternalError.
    const ferretUpdate = driverError(
      'MongoServerError',
      "[msg_update.go:133] [collection.go:177 sqlite.(*collection).UpdateAll.func1] constraint failed: UNIQUE constraint failed: index 'incidents_1_open_key_unique' (2067)",
      { code: 1, codeName: 'InternalError' },
    );
    const otherInternal = driverError('MongoServerError', 'something else broke', { code: 1, codeName: 'InternalError' });
    expect(isDuplicateKey(mongo)).toBe(true);
    expect(isDuplicateKey(ferretUpdate)).toBe(true);
    expect(isDuplicateKey(otherInternal)).toBe(false);
  });
});
