import type Database from 'better-sqlite3';
import type { App, IngestKey } from '../../domain/types';
import { conflict, notFound } from '../../errors';
import { newId } from '../../ids';
import type { AppStore, NewKey } from '../ports';
import { guard, isUniqueViolation } from './sqlite-errors';

interface AppRow {
  id: string;
  name: string;
  created_at: number;
}

interface KeyRow {
  app_id: string;
  key_prefix: string;
  key_hash: string;
  created_at: number;
  revoked_at: number | null;
}

const toApp = (r: AppRow): App => ({ id: r.id, name: r.name, createdAt: r.created_at });

const toKey = (r: KeyRow): IngestKey => ({
  appId: r.app_id,
  keyPrefix: r.key_prefix,
  keyHash: r.key_hash,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export class EmbeddedAppStore implements AppStore {
  private readonly insertApp;
  private readonly insertKey;
  private readonly selectApp;
  private readonly selectApps;
  private readonly revoke;
  private readonly selectByHash;
  private readonly createTx;

  constructor(private readonly db: Database.Database) {
    this.insertApp = db.prepare<[string, string, number]>('INSERT INTO apps (id, name, created_at) VALUES (?, ?, ?)');
    this.insertKey = db.prepare<[string, string, string, number]>(
      'INSERT INTO ingest_keys (app_id, key_prefix, key_hash, created_at) VALUES (?, ?, ?, ?)',
    );
    this.selectApp = db.prepare<[string], AppRow>('SELECT * FROM apps WHERE id = ?');
    this.selectApps = db.prepare<[], AppRow>('SELECT * FROM apps ORDER BY created_at, id');
    this.revoke = db.prepare<[number, string, string]>(
      'UPDATE ingest_keys SET revoked_at = ? WHERE app_id = ? AND key_prefix = ? AND revoked_at IS NULL',
    );
    this.selectByHash = db.prepare<[string], KeyRow & { name: string; app_created_at: number }>(
      `SELECT k.*, a.name, a.created_at AS app_created_at
         FROM ingest_keys k JOIN apps a ON a.id = k.app_id
        WHERE k.key_hash = ? AND k.revoked_at IS NULL`,
    );
    this.createTx = db.transaction((app: App, key: NewKey) => {
      this.insertApp.run(app.id, app.name, app.createdAt);
      this.insertKey.run(app.id, key.keyPrefix, key.keyHash, key.createdAt);
    });
  }

  create(input: { name: string; key: NewKey; createdAt: number }): Promise<App> {
    return guard(() => {
      const app: App = { id: newId('app', input.createdAt), name: input.name, createdAt: input.createdAt };
      try {
        this.createTx.immediate(app, input.key);
      } catch (err) {
        if (isUniqueViolation(err) && this.nameTaken(input.name)) {
          throw conflict(`an app named "${input.name}" already exists`, { field: 'name' });
        }
        throw err;
      }
      return app;
    });
  }

  private nameTaken(name: string): boolean {
    return this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM apps WHERE name = ?').get(name)?.n === 1;
  }

  get(id: string): Promise<App | null> {
    return guard(() => {
      const row = this.selectApp.get(id);
      return row ? toApp(row) : null;
    });
  }

  list(): Promise<App[]> {
    return guard(() => this.selectApps.all().map(toApp));
  }

  addKey(appId: string, key: NewKey): Promise<void> {
    return guard(() => {
      if (!this.selectApp.get(appId)) throw notFound('app');
      this.insertKey.run(appId, key.keyPrefix, key.keyHash, key.createdAt);
    });
  }

  revokeKey(appId: string, keyPrefix: string, at: number): Promise<boolean> {
    return guard(() => this.revoke.run(at, appId, keyPrefix).changes > 0);
  }

  findByKeyHash(keyHash: string): Promise<{ app: App; key: IngestKey } | null> {
    return guard(() => {
      const row = this.selectByHash.get(keyHash);
      if (!row) return null;
      return { app: { id: row.app_id, name: row.name, createdAt: row.app_created_at }, key: toKey(row) };
    });
  }
}
