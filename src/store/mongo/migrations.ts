import type { mongo } from 'mongoose';
import type { Logger } from '../../logger';
import { errorField } from '../error-message';
import { isDuplicateKey } from './mongo-errors';

/**
 * Start-up migrations of the MongoDB store, run by every process before its models build indexes. Each step looks at
 * what is there first, so running it again, or from several processes at once, changes nothing. They move data written
 * by earlier versions to a shape every MongoDB-compatible server handles (docs/stores.md).
 */

/** The unique index the one-open-incident invariant rests on; it needs no partial index. */
export const OPEN_KEY_INDEX = 'open_key_unique';
/** Its predecessor: unique on openKey only where openKey exists, which FerretDB 1.x, Cosmos DB and older DocumentDB refuse. */
const PARTIAL_OPEN_KEY_INDEX = 'one_open_per_fingerprint';
/** The index of the key array that apps used to carry. */
const EMBEDDED_KEYS_INDEX = 'keys.keyHash_1';
/** Documents per read of a migration: bounded, so a large collection is migrated in steps. */
const BATCH = 500;

interface LegacyIncident {
  _id: string;
  openKey?: string;
}

interface LegacyApp {
  _id: string;
  keys?: { keyPrefix: string; keyHash: string; createdAt: Date; revokedAt?: Date | null }[];
}

async function indexNames(collection: Pick<mongo.Collection, 'indexes'>): Promise<string[]> {
  try {
    return (await collection.indexes()).map((i) => i.name ?? '');
  } catch (err) {
    // A collection that was never written has no indexes and nothing to migrate.
    if (errorField(err, 'codeName') === 'NamespaceNotFound') return [];
    throw err;
  }
}

async function dropIndexIfPresent(collection: Pick<mongo.Collection, 'dropIndex'>, name: string): Promise<void> {
  try {
    await collection.dropIndex(name);
  } catch (err) {
    // Another process dropped it first.
    if (errorField(err, 'codeName') !== 'IndexNotFound') throw err;
  }
}

/**
 * Before OPEN_KEY_INDEX, a resolved incident had no openKey and a partial index skipped it. A plain unique index counts
 * every missing value as the same null, so each of those incidents gets its own id as openKey, then the partial index
 * goes; the caller builds the plain one.
 */
async function plainOpenKeyIndex(db: mongo.Db, logger: Logger): Promise<void> {
  const incidents = db.collection<LegacyIncident>('incidents');
  const names = await indexNames(incidents);
  if (names.includes(OPEN_KEY_INDEX)) return;
  let backfilled = 0;
  for (;;) {
    const batch = await incidents.find({ openKey: { $exists: false } }, { projection: { _id: 1 } }).limit(BATCH).toArray();
    if (batch.length === 0) break;
    await incidents.bulkWrite(
      batch.map((d) => ({ updateOne: { filter: { _id: d._id, openKey: { $exists: false } }, update: { $set: { openKey: d._id } } } })),
      { ordered: false },
    );
    backfilled += batch.length;
  }
  const hadPartial = names.includes(PARTIAL_OPEN_KEY_INDEX);
  if (hadPartial) await dropIndexIfPresent(incidents, PARTIAL_OPEN_KEY_INDEX);
  if (backfilled > 0 || hadPartial) {
    logger.info({ backfilled, droppedIndex: hadPartial ? PARTIAL_OPEN_KEY_INDEX : null }, 'mongo store: incidents moved to a plain unique openKey');
  }
}

/** Apps used to carry their ingest keys in an array; each key becomes a document of ingest_keys (apps.ts says why). */
async function ingestKeysOwnCollection(db: mongo.Db, logger: Logger): Promise<void> {
  const apps = db.collection<LegacyApp>('apps');
  const keys = db.collection<{ _id: string }>('ingest_keys');
  let moved = 0;
  for (;;) {
    const batch = await apps.find({ keys: { $exists: true } }, { projection: { keys: 1 } }).limit(BATCH).toArray();
    if (batch.length === 0) break;
    for (const app of batch) {
      const docs = (app.keys ?? []).map((k) => ({
        _id: k.keyHash,
        appId: app._id,
        keyPrefix: k.keyPrefix,
        createdAt: k.createdAt,
        revokedAt: k.revokedAt ?? null,
      }));
      if (docs.length > 0) {
        await keys.insertMany(docs, { ordered: false }).catch((err: unknown) => {
          // Moved already by a run that stopped before it could unset the array: the rest were still inserted.
          if (!isDuplicateKey(err)) throw err;
        });
      }
      await apps.updateOne({ _id: app._id }, { $unset: { keys: 1 } });
      moved += docs.length;
    }
  }
  const hadIndex = (await indexNames(apps)).includes(EMBEDDED_KEYS_INDEX);
  if (hadIndex) await dropIndexIfPresent(apps, EMBEDDED_KEYS_INDEX);
  if (moved > 0 || hadIndex) logger.info({ moved }, 'mongo store: ingest keys moved to their own collection');
}

export async function migrateMongo(db: mongo.Db, logger: Logger): Promise<void> {
  await plainOpenKeyIndex(db, logger);
  await ingestKeysOwnCollection(db, logger);
}
