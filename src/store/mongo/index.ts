import mongoose, { type Connection } from 'mongoose';
import { unavailable } from '../../errors';
import type { Logger } from '../../logger';
import { errorMessage } from '../error-message';
import type { Stores } from '../ports';
import { MongoAppStore, appModel, ingestKeyModel } from './apps';
import { MongoChannelStore, channelModel } from './channels';
import { MongoIncidentStore, incidentModel } from './incidents';
import { migrateMongo } from './migrations';
import { guard, toStoreError } from './mongo-errors';
import { MongoPostmortemStore, postmortemModel } from './postmortems';
import { MongoReleaseStore, releaseModel } from './releases';
import { MongoSilenceStore, silenceModel } from './silences';

export interface MongoStoreOptions {
  /** Let Mongoose build indexes itself (tests). Production leaves it off and builds them once, explicitly, here. */
  autoIndex?: boolean;
}

/** How long an operation waits for a reachable server before failing with `unavailable`. */
const SERVER_SELECTION_TIMEOUT_MS = 5000;

export async function openMongoStores(url: string, logger: Logger, opts: MongoStoreOptions = {}): Promise<Stores> {
  const autoIndex = opts.autoIndex ?? false;
  // A private connection, not mongoose.connect(): tests open several stores in one process, and no global state
  // leaks between them. Buffering off: with Mongo down, calls fail fast instead of hanging a request.
  const conn = mongoose.createConnection(url, {
    bufferCommands: false,
    autoIndex,
    serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
  });
  try {
    await conn.asPromise();
  } catch (err) {
    await conn.close().catch(() => undefined);
    throw unavailable(`Cannot connect to MongoDB (MONGODB_URL): ${errorMessage(err)}`);
  }

  let stores: Stores;
  try {
    // Before the models exist: with autoIndex, compiling a model starts its index build, which must find the data
    // already migrated.
    if (conn.db) await migrateMongo(conn.db, logger);
    stores = createMongoStores(conn);
    await ensureIndexes(Object.values(conn.models), autoIndex);
  } catch (err) {
    await conn.close().catch(() => undefined);
    throw toStoreError(err);
  }
  logger.info({ database: conn.name, autoIndex }, 'mongo store: indexes ensured');
  return stores;
}

/** The repositories over a Mongoose connection, connected or not: openMongoStores connects first. */
export function createMongoStores(conn: Connection): Stores {
  return {
    kind: 'mongo',
    apps: new MongoAppStore(appModel(conn), ingestKeyModel(conn)),
    releases: new MongoReleaseStore(releaseModel(conn)),
    incidents: new MongoIncidentStore(incidentModel(conn)),
    postmortems: new MongoPostmortemStore(postmortemModel(conn)),
    channels: new MongoChannelStore(channelModel(conn)),
    silences: new MongoSilenceStore(silenceModel(conn)),
    ping: () =>
      guard(async () => {
        // The driver would silently reconnect a closed client; readiness must report the connection as it is.
        if (conn.readyState !== mongoose.ConnectionStates.connected || !conn.db) {
          throw unavailable('MongoDB connection is not open');
        }
        await conn.db.admin().ping();
      }),
    close: () =>
      guard(async () => {
        await conn.close();
      }),
  };
}

/** The two Model methods index set-up needs; Model<AppDoc> and Model<IncidentDoc> share no wider common type. */
interface IndexedModel {
  init(): Promise<unknown>;
  createIndexes(): Promise<void>;
}

/**
 * The one-open-incident and unique-name invariants live in unique indexes, so they must exist before the first
 * write. init() waits for collection creation (and, with autoIndex, for Mongoose's own index build);
 * createIndexes() is idempotent, so every start-up of every process may run it.
 */
async function ensureIndexes(models: IndexedModel[], autoIndex: boolean): Promise<void> {
  for (const model of models) {
    await model.init();
    if (!autoIndex) await model.createIndexes();
  }
}
