import type { Logger } from '../../logger';
import type { Stores } from '../ports';
import { EmbeddedAppStore } from './apps';
import { EmbeddedChannelStore } from './channels';
import { openDatabase } from './database';
import { EmbeddedIncidentStore } from './incidents';
import { EmbeddedPostmortemStore } from './postmortems';
import { EmbeddedReleaseStore } from './releases';
import { EmbeddedSilenceStore } from './silences';
import { guard } from './sqlite-errors';

/** The SQLite store under DATA_DIR: what runs when MONGODB_URL is unset (development, single-host installs). */
export function openEmbeddedStores(dataDir: string, logger: Logger, opts: { busyTimeoutMs?: number } = {}): Stores {
  const { db, file, migratedFrom, version } = openDatabase(dataDir, opts.busyTimeoutMs);
  if (migratedFrom !== version) {
    logger.info({ file, from: migratedFrom, to: version }, 'embedded store: schema migrated');
  }
  const ping = db.prepare('SELECT 1');
  let closed = false;
  return {
    kind: 'embedded',
    apps: new EmbeddedAppStore(db),
    releases: new EmbeddedReleaseStore(db),
    incidents: new EmbeddedIncidentStore(db),
    postmortems: new EmbeddedPostmortemStore(db),
    channels: new EmbeddedChannelStore(db),
    silences: new EmbeddedSilenceStore(db),
    ping: () => guard(() => void ping.get()),
    close: () =>
      guard(() => {
        // Idempotent: shutdown paths (SIGTERM handler, test teardown) may both call it.
        if (closed) return;
        closed = true;
        db.close();
      }),
  };
}
