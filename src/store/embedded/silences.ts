import type Database from 'better-sqlite3';
import type { IncidentKind, Silence } from '../../domain/types';
import { newId } from '../../ids';
import type { SilenceStore } from '../ports';
import { guard } from './sqlite-errors';

interface SilenceRow {
  id: string;
  app: string;
  kind: IncidentKind | null;
  until: number;
  reason: string;
  created_at: number;
}

const toSilence = (r: SilenceRow): Silence => ({
  id: r.id,
  app: r.app,
  kind: r.kind,
  until: r.until,
  reason: r.reason,
  createdAt: r.created_at,
});

export class EmbeddedSilenceStore implements SilenceStore {
  private readonly insert;
  private readonly selectAll;
  private readonly remove;
  private readonly selectActive;

  constructor(db: Database.Database) {
    this.insert = db.prepare<SilenceRow>(
      `INSERT INTO silences (id, app, kind, until, reason, created_at)
       VALUES (@id, @app, @kind, @until, @reason, @created_at)`,
    );
    this.selectAll = db.prepare<[], SilenceRow>('SELECT * FROM silences ORDER BY created_at, id');
    this.remove = db.prepare<[string]>('DELETE FROM silences WHERE id = ?');
    this.selectActive = db.prepare<[string, number, string], SilenceRow>(
      `SELECT * FROM silences WHERE app = ? AND until > ? AND (kind IS NULL OR kind = ?) ORDER BY until DESC, id`,
    );
  }

  create(input: Omit<Silence, 'id'>): Promise<Silence> {
    return guard(() => {
      const silence: Silence = { ...input, id: newId('sil', input.createdAt) };
      this.insert.run({
        id: silence.id,
        app: silence.app,
        kind: silence.kind,
        until: silence.until,
        reason: silence.reason,
        created_at: silence.createdAt,
      });
      return silence;
    });
  }

  list(): Promise<Silence[]> {
    return guard(() => this.selectAll.all().map(toSilence));
  }

  delete(id: string): Promise<boolean> {
    return guard(() => this.remove.run(id).changes > 0);
  }

  findActive(app: string, kind: IncidentKind, at: number): Promise<Silence[]> {
    return guard(() => this.selectActive.all(app, at, kind).map(toSilence));
  }
}
