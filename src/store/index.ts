import type { Config } from '../config';
import type { Logger } from '../logger';
import { openEmbeddedStores } from './embedded';
import { openMongoStores } from './mongo';
import type { Stores } from './ports';

export type { Stores } from './ports';

/**
 * The one place that chooses the store: MongoDB when MONGODB_URL is set, the embedded SQLite store under DATA_DIR
 * otherwise. Throws VigilError('unavailable') with a readable message when the chosen store cannot be opened.
 */
export async function openStores(config: Config, logger: Logger, opts: { autoIndex?: boolean } = {}): Promise<Stores> {
  const log = logger.child({ component: 'store' });
  if (config.mongodbUrl !== undefined) {
    const stores = await openMongoStores(config.mongodbUrl, log, opts);
    log.info({ store: 'mongo' }, 'store: using MongoDB (MONGODB_URL is set)');
    return stores;
  }
  const stores = openEmbeddedStores(config.dataDir, log);
  log.info({ store: 'embedded', dataDir: config.dataDir }, 'store: using the embedded SQLite store (MONGODB_URL is unset)');
  return stores;
}
