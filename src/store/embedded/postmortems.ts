import type Database from 'better-sqlite3';
import type { Postmortem, PostmortemContent, PostmortemEdit, PostmortemStatus } from '../../domain/types';
import { newPostmortemRecord } from '../records';
import type { PostmortemFilter, PostmortemStore } from '../ports';
import { parseJson } from './database';
import { guard, isUniqueViolation } from './sqlite-errors';

interface PostmortemRow {
  id: string;
  incident_id: string;
  app: string;
  status: PostmortemStatus;
  content: string;
  edits: string;
  created_at: number;
  updated_at: number;
  published_at: number | null;
  version: number;
}

const toPostmortem = (r: PostmortemRow): Postmortem => ({
  id: r.id,
  incidentId: r.incident_id,
  app: r.app,
  status: r.status,
  content: parseJson<PostmortemContent>(r.content),
  edits: parseJson<PostmortemEdit[]>(r.edits),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  publishedAt: r.published_at,
  version: r.version,
});

type Change = Parameters<PostmortemStore['update']>[2];

export class EmbeddedPostmortemStore implements PostmortemStore {
  private readonly insert;
  private readonly selectByIncident;
  private readonly selectFiltered;
  private readonly writeIfVersion;
  private readonly updateTx;

  constructor(db: Database.Database) {
    this.insert = db.prepare<PostmortemRow>(
      `INSERT INTO postmortems (id, incident_id, app, status, content, edits, created_at, updated_at, published_at, version)
       VALUES (@id, @incident_id, @app, @status, @content, @edits, @created_at, @updated_at, @published_at, @version)`,
    );
    this.selectByIncident = db.prepare<[string], PostmortemRow>('SELECT * FROM postmortems WHERE incident_id = ?');
    this.selectFiltered = db.prepare<{ app: string | null; status: string | null }, PostmortemRow>(
      `SELECT * FROM postmortems
        WHERE (@app IS NULL OR app = @app) AND (@status IS NULL OR status = @status)
        ORDER BY created_at DESC, id DESC`,
    );
    this.writeIfVersion = db.prepare<
      Pick<PostmortemRow, 'status' | 'content' | 'edits' | 'updated_at' | 'published_at' | 'incident_id' | 'version'> & {
        expected_version: number;
      }
    >(
      `UPDATE postmortems
          SET status = @status, content = @content, edits = @edits, updated_at = @updated_at,
              published_at = @published_at, version = @version
        WHERE incident_id = @incident_id AND version = @expected_version`,
    );
    this.updateTx = db.transaction((incidentId: string, expectedVersion: number, change: Change): Postmortem | null => {
      const row = this.selectByIncident.get(incidentId);
      if (!row || row.version !== expectedVersion) return null;
      const cur = toPostmortem(row);
      const next: Postmortem = {
        ...cur,
        content: change.content ?? cur.content,
        status: change.status ?? cur.status,
        publishedAt: change.publishedAt === undefined ? cur.publishedAt : change.publishedAt,
        edits: [...cur.edits, change.edit],
        updatedAt: change.at,
        version: cur.version + 1,
      };
      const res = this.writeIfVersion.run({
        incident_id: incidentId,
        status: next.status,
        content: JSON.stringify(next.content),
        edits: JSON.stringify(next.edits),
        updated_at: next.updatedAt,
        published_at: next.publishedAt,
        version: next.version,
        expected_version: expectedVersion,
      });
      return res.changes === 1 ? next : null;
    });
  }

  createDraft(input: {
    incidentId: string;
    app: string;
    content: PostmortemContent;
    createdAt: number;
  }): Promise<{ postmortem: Postmortem; created: boolean }> {
    return guard(() => {
      const existing = this.selectByIncident.get(input.incidentId);
      if (existing) return { postmortem: toPostmortem(existing), created: false };
      const postmortem = newPostmortemRecord(input);
      try {
        this.insert.run({
          id: postmortem.id,
          incident_id: postmortem.incidentId,
          app: postmortem.app,
          status: postmortem.status,
          content: JSON.stringify(postmortem.content),
          edits: '[]',
          created_at: postmortem.createdAt,
          updated_at: postmortem.updatedAt,
          published_at: null,
          version: postmortem.version,
        });
      } catch (err) {
        // Another process won the race between our read and insert: theirs is the draft.
        const winner = isUniqueViolation(err) ? this.selectByIncident.get(input.incidentId) : undefined;
        if (winner) return { postmortem: toPostmortem(winner), created: false };
        throw err;
      }
      return { postmortem, created: true };
    });
  }

  get(incidentId: string): Promise<Postmortem | null> {
    return guard(() => {
      const row = this.selectByIncident.get(incidentId);
      return row ? toPostmortem(row) : null;
    });
  }

  list(filter: PostmortemFilter): Promise<Postmortem[]> {
    return guard(() => this.selectFiltered.all({ app: filter.app ?? null, status: filter.status ?? null }).map(toPostmortem));
  }

  update(incidentId: string, expectedVersion: number, change: Change): Promise<Postmortem | null> {
    return guard(() => this.updateTx.immediate(incidentId, expectedVersion, change));
  }
}
