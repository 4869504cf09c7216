import type Database from 'better-sqlite3';

/**
 * Append-only: a released migration is never edited, a change is a new entry. The index in this array + 1 is the
 * schema version kept in PRAGMA user_version.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE ingest_keys (
    key_hash TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    key_prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX ingest_keys_by_app ON ingest_keys(app_id, key_prefix);

  CREATE TABLE releases (
    id TEXT PRIMARY KEY,
    app TEXT NOT NULL,
    app_version TEXT NOT NULL,
    platform TEXT,
    released_at INTEGER NOT NULL,
    rollout_percent REAL,
    notes TEXT,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX releases_by_app ON releases(app, released_at, id);
  CREATE INDEX releases_by_time ON releases(released_at, id);

  CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    app TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    detected_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    resolved_at INTEGER,
    impact TEXT NOT NULL,
    suspected_cause TEXT,
    timeline TEXT NOT NULL,
    public_message TEXT,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
  ) STRICT;
  -- The invariant the whole dedup story rests on: one unresolved incident per app + fingerprint.
  CREATE UNIQUE INDEX incidents_one_open ON incidents(app, fingerprint) WHERE status != 'resolved';
  CREATE INDEX incidents_newest ON incidents(detected_at DESC, id DESC);
  CREATE INDEX incidents_app_newest ON incidents(app, detected_at DESC, id DESC);
  CREATE INDEX incidents_resolved ON incidents(app, fingerprint, resolved_at) WHERE status = 'resolved';

  CREATE TABLE postmortems (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL UNIQUE,
    app TEXT NOT NULL,
    status TEXT NOT NULL,
    content TEXT NOT NULL,
    edits TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    published_at INTEGER,
    version INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX postmortems_by_app ON postmortems(app, created_at DESC);

  CREATE TABLE channels (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT,
    routing_key TEXT,
    apps TEXT,
    min_severity TEXT NOT NULL,
    escalate_after_minutes REAL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE silences (
    id TEXT PRIMARY KEY,
    app TEXT NOT NULL,
    kind TEXT,
    until INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX silences_by_app ON silences(app, until);
  `,
];

function userVersion(db: Database.Database): number {
  const v: unknown = db.pragma('user_version', { simple: true });
  return typeof v === 'number' ? v : 0;
}

/**
 * Applies pending migrations in one IMMEDIATE transaction: when an API and a worker process start together on one
 * DATA_DIR, the second waits for the first's write lock, then finds the version already current and does nothing.
 * Returns the version before and after.
 */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): { from: number; to: number } {
  const run = db.transaction(() => {
    const from = userVersion(db);
    if (from > migrations.length) {
      throw new Error(
        `the database schema is version ${from} but this Vigil only knows ${migrations.length}: it was written by a newer Vigil`,
      );
    }
    migrations.slice(from).forEach((sql, i) => {
      db.exec(sql);
      // PRAGMA takes no bound parameters; the value is an integer we computed.
      db.pragma(`user_version = ${from + i + 1}`);
    });
    return { from, to: migrations.length };
  });
  return run.immediate();
}
