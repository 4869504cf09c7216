import { chmodSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { VigilError } from '../../src/errors';
import { createLogger } from '../../src/logger';
import { openEmbeddedStores } from '../../src/store/embedded';
import { DB_FILE_NAME } from '../../src/store/embedded/database';
import { MIGRATIONS } from '../../src/store/embedded/migrations';
import type { Stores } from '../../src/store/ports';
import { makeTempDir } from '../support/tmp';

const logger = createLogger('silent');

describe('opening the embedded store', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const opened: Stores[] = [];

  beforeEach(() => {
    tmp = makeTempDir('store-open');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    tmp.remove();
  });

  const openError = (dataDir: string): VigilError => {
    try {
      opened.push(openEmbeddedStores(dataDir, logger));
    } catch (err) {
      if (err instanceof VigilError) return err;
      throw err;
    }
    throw new Error('expected the embedded store to refuse to open');
  };

  it('when the store is created, then its directory and files (channel secrets inside) are readable by the owner only', async () => {
    const dataDir = path.join(tmp.dir, 'fresh');
    const stores = openEmbeddedStores(dataDir, logger);
    opened.push(stores);
    await stores.apps.list();
    const file = path.join(dataDir, DB_FILE_NAME);
    const mode = (f: string) => statSync(f).mode & 0o777;
    expect(mode(dataDir)).toBe(0o700);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
  });

  it('when an older version left the database world-readable, then opening it tightens it', async () => {
    const first = openEmbeddedStores(tmp.dir, logger);
    await first.close();
    const file = path.join(tmp.dir, DB_FILE_NAME);
    chmodSync(file, 0o644);
    opened.push(openEmbeddedStores(tmp.dir, logger));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('when DATA_DIR cannot be created, then it fails with unavailable naming the directory and the fix', () => {
    // A path below a regular file can never become a directory, whoever runs the test (root ignores chmod).
    const blocker = path.join(tmp.dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const err = openError(path.join(blocker, 'data'));
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain(path.join(blocker, 'data'));
    expect(err.message).toMatch(/DATA_DIR/);
  });

  it('when vigil.sqlite is not a SQLite file, then it fails with unavailable naming the file', () => {
    const file = path.join(tmp.dir, 'vigil.sqlite');
    writeFileSync(file, 'this is not a database, just some text that is long enough to fill a header page. '.repeat(20));
    const err = openError(tmp.dir);
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not a database/i);
  });

  it('when the schema is newer than this code knows, then it refuses instead of guessing', () => {
    const db = new Database(path.join(tmp.dir, 'vigil.sqlite'));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    const err = openError(tmp.dir);
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/newer Vigil/);
  });

  it('when another process holds the write lock past busy_timeout, then writes fail with unavailable', async () => {
    const stores = openEmbeddedStores(tmp.dir, logger, { busyTimeoutMs: 100 });
    opened.push(stores);
    const holder = new Database(path.join(tmp.dir, 'vigil.sqlite'));
    holder.exec('BEGIN IMMEDIATE');
    try {
      const key = { keyPrefix: 'vk_1', keyHash: 'h1', createdAt: 1 };
      await expect(stores.apps.create({ name: 'shop', key, createdAt: 1 })).rejects.toMatchObject({
        code: 'unavailable',
        retryable: true,
        message: expect.stringContaining('SQLITE_BUSY'),
      });
      // Readers are not blocked by a writer in WAL mode: status pages keep answering.
      await expect(stores.apps.list()).resolves.toEqual([]);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});
