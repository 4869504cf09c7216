import type Database from 'better-sqlite3';
import type { Platform, Release } from '../../domain/types';
import { newId } from '../../ids';
import type { ReleaseStore } from '../ports';
import { guard } from './sqlite-errors';

interface ReleaseRow {
  id: string;
  app: string;
  app_version: string;
  platform: Platform | null;
  released_at: number;
  rollout_percent: number | null;
  notes: string | null;
  created_at: number;
}

const toRelease = (r: ReleaseRow): Release => ({
  id: r.id,
  app: r.app,
  appVersion: r.app_version,
  platform: r.platform,
  releasedAt: r.released_at,
  rolloutPercent: r.rollout_percent,
  notes: r.notes,
  createdAt: r.created_at,
});

export class EmbeddedReleaseStore implements ReleaseStore {
  private readonly insert;
  private readonly selectAll;
  private readonly selectByApp;

  constructor(db: Database.Database) {
    this.insert = db.prepare<ReleaseRow>(
      `INSERT INTO releases (id, app, app_version, platform, released_at, rollout_percent, notes, created_at)
       VALUES (@id, @app, @app_version, @platform, @released_at, @rollout_percent, @notes, @created_at)`,
    );
    this.selectAll = db.prepare<[], ReleaseRow>('SELECT * FROM releases ORDER BY released_at, id');
    this.selectByApp = db.prepare<[string], ReleaseRow>('SELECT * FROM releases WHERE app = ? ORDER BY released_at, id');
  }

  create(input: Omit<Release, 'id'>): Promise<Release> {
    return guard(() => {
      const release: Release = { ...input, id: newId('rel', input.createdAt) };
      this.insert.run({
        id: release.id,
        app: release.app,
        app_version: release.appVersion,
        platform: release.platform,
        released_at: release.releasedAt,
        rollout_percent: release.rolloutPercent,
        notes: release.notes,
        created_at: release.createdAt,
      });
      return release;
    });
  }

  list(app?: string): Promise<Release[]> {
    return guard(() => (app === undefined ? this.selectAll.all() : this.selectByApp.all(app)).map(toRelease));
  }
}
