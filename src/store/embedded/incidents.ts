import type Database from 'better-sqlite3';
import type {
  Impact,
  Incident,
  IncidentKind,
  IncidentStatus,
  Severity,
  SuspectedCause,
  TimelineEntry,
} from '../../domain/types';
import { decodeCursor, pageSize, toPage } from '../cursor';
import { definedPatch, statusTimes } from '../incident-changes';
import type { IncidentFilter, IncidentPatch, IncidentStore, NewIncident } from '../ports';
import { parseJson, parseJsonOrNull } from './database';
import { newIncidentRecord } from '../records';
import { guard, isUniqueViolation } from './sqlite-errors';

interface IncidentRow {
  id: string;
  app: string;
  fingerprint: string;
  kind: IncidentKind;
  status: IncidentStatus;
  severity: Severity;
  title: string;
  started_at: number;
  detected_at: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  impact: string;
  suspected_cause: string | null;
  timeline: string;
  public_message: string | null;
  updated_at: number;
  version: number;
}

const toIncident = (r: IncidentRow): Incident => ({
  id: r.id,
  app: r.app,
  fingerprint: r.fingerprint,
  kind: r.kind,
  status: r.status,
  severity: r.severity,
  title: r.title,
  startedAt: r.started_at,
  detectedAt: r.detected_at,
  acknowledgedAt: r.acknowledged_at,
  resolvedAt: r.resolved_at,
  impact: parseJson<Impact>(r.impact),
  suspectedCause: parseJsonOrNull<SuspectedCause>(r.suspected_cause),
  timeline: parseJson<TimelineEntry[]>(r.timeline),
  publicMessage: r.public_message,
  updatedAt: r.updated_at,
  version: r.version,
});

const toRow = (i: Incident): IncidentRow => ({
  id: i.id,
  app: i.app,
  fingerprint: i.fingerprint,
  kind: i.kind,
  status: i.status,
  severity: i.severity,
  title: i.title,
  started_at: i.startedAt,
  detected_at: i.detectedAt,
  acknowledged_at: i.acknowledgedAt,
  resolved_at: i.resolvedAt,
  impact: JSON.stringify(i.impact),
  suspected_cause: i.suspectedCause === null ? null : JSON.stringify(i.suspectedCause),
  timeline: JSON.stringify(i.timeline),
  public_message: i.publicMessage,
  updated_at: i.updatedAt,
  version: i.version,
});

type Change = { at: number; patch?: IncidentPatch; timeline?: TimelineEntry[] };
type Transition = Change & { from: IncidentStatus[]; to: IncidentStatus; by?: string };

/** The next state of an incident after a change; the caller persists it with compare-and-set. */
function applyChange(cur: Incident, change: Change, statusFields: Partial<Incident> = {}): Incident {
  return {
    ...cur,
    ...definedPatch(change.patch),
    ...statusFields,
    timeline: [...cur.timeline, ...(change.timeline ?? [])],
    updatedAt: change.at,
    version: cur.version + 1,
  };
}

const COLUMNS: readonly (keyof IncidentRow)[] = [
  'id',
  'app',
  'fingerprint',
  'kind',
  'status',
  'severity',
  'title',
  'started_at',
  'detected_at',
  'acknowledged_at',
  'resolved_at',
  'impact',
  'suspected_cause',
  'timeline',
  'public_message',
  'updated_at',
  'version',
];
const IMMUTABLE: readonly (keyof IncidentRow)[] = ['id', 'app', 'fingerprint', 'kind', 'started_at', 'detected_at'];

export class EmbeddedIncidentStore implements IncidentStore {
  private readonly insert;
  private readonly selectById;
  private readonly selectOpen;
  private readonly selectRecentlyResolved;
  private readonly writeIfUnchanged;
  private readonly openTx;
  private readonly transitionTx;
  private readonly updateTx;
  /** list() builds its WHERE from the filter; the handful of shapes are prepared once each. */
  private readonly listStatements = new Map<string, Database.Statement<unknown[], IncidentRow>>();

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare<IncidentRow>(
      `INSERT INTO incidents (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    this.selectById = db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE id = ?');
    this.selectOpen = db.prepare<[string, string], IncidentRow>(
      "SELECT * FROM incidents WHERE app = ? AND fingerprint = ? AND status != 'resolved'",
    );
    this.selectRecentlyResolved = db.prepare<[string, string, number], IncidentRow>(
      `SELECT * FROM incidents
        WHERE app = ? AND fingerprint = ? AND status = 'resolved' AND resolved_at >= ?
        ORDER BY resolved_at DESC, id DESC LIMIT 1`,
    );
    const mutable = COLUMNS.filter((c) => !IMMUTABLE.includes(c));
    // Compare-and-set on version and status: even inside the transaction the WHERE states the rule being enforced.
    this.writeIfUnchanged = db.prepare<IncidentRow & { expected_version: number; from: string }>(
      `UPDATE incidents SET ${mutable.map((c) => `${c} = @${c}`).join(', ')}
        WHERE id = @id AND version = @expected_version AND status IN (SELECT value FROM json_each(@from))`,
    );
    this.openTx = db.transaction((input: NewIncident): { incident: Incident; created: boolean } => {
      const existing = this.selectOpen.get(input.app, input.fingerprint);
      if (existing) return { incident: toIncident(existing), created: false };
      const incident = newIncidentRecord(input);
      this.insert.run(toRow(incident));
      return { incident, created: true };
    });
    this.transitionTx = db.transaction((id: string, change: Transition): Incident | null => {
      const row = this.selectById.get(id);
      if (!row || !change.from.includes(row.status)) return null;
      const cur = toIncident(row);
      const next = applyChange(cur, change, { status: change.to, ...statusTimes(change.to, change.at) });
      return this.write(cur, next, change.from);
    });
    this.updateTx = db.transaction((id: string, change: Change): Incident | null => {
      const row = this.selectById.get(id);
      if (!row) return null;
      const cur = toIncident(row);
      return this.write(cur, applyChange(cur, change), [cur.status]);
    });
  }

  /** Null when the unique open index refuses the write: a reopen while another incident of the fingerprint is open. */
  private write(cur: Incident, next: Incident, from: IncidentStatus[]): Incident | null {
    try {
      const res = this.writeIfUnchanged.run({ ...toRow(next), expected_version: cur.version, from: JSON.stringify(from) });
      return res.changes === 1 ? next : null;
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  open(input: NewIncident): Promise<{ incident: Incident; created: boolean }> {
    return guard(() => this.openTx.immediate(input));
  }

  get(id: string): Promise<Incident | null> {
    return guard(() => {
      const row = this.selectById.get(id);
      return row ? toIncident(row) : null;
    });
  }

  list(filter: IncidentFilter): Promise<{ incidents: Incident[]; nextCursor?: string }> {
    return guard(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.app !== undefined) {
        where.push('app = ?');
        params.push(filter.app);
      }
      if (filter.status !== undefined) {
        where.push('status = ?');
        params.push(filter.status);
      }
      if (filter.since !== undefined) {
        where.push('detected_at >= ?');
        params.push(filter.since);
      }
      if (filter.cursor !== undefined) {
        const after = decodeCursor(filter.cursor);
        where.push('(detected_at < ? OR (detected_at = ? AND id < ?))');
        params.push(after.detectedAt, after.detectedAt, after.id);
      }
      const size = pageSize(filter.limit);
      const sql = `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                    ORDER BY detected_at DESC, id DESC LIMIT ?`;
      const rows = this.listStatement(sql).all(...params, size + 1);
      const page = toPage(rows.map(toIncident), size);
      return page.nextCursor === undefined
        ? { incidents: page.items }
        : { incidents: page.items, nextCursor: page.nextCursor };
    });
  }

  private listStatement(sql: string): Database.Statement<unknown[], IncidentRow> {
    let stmt = this.listStatements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<unknown[], IncidentRow>(sql);
      this.listStatements.set(sql, stmt);
    }
    return stmt;
  }

  findOpen(app: string, fingerprint: string): Promise<Incident | null> {
    return guard(() => {
      const row = this.selectOpen.get(app, fingerprint);
      return row ? toIncident(row) : null;
    });
  }

  findRecentlyResolved(app: string, fingerprint: string, resolvedSince: number): Promise<Incident | null> {
    return guard(() => {
      const row = this.selectRecentlyResolved.get(app, fingerprint, resolvedSince);
      return row ? toIncident(row) : null;
    });
  }

  listUnresolved(app?: string): Promise<Incident[]> {
    return guard(() => {
      const sql = `SELECT * FROM incidents WHERE status != 'resolved' ${app === undefined ? '' : 'AND app = ?'}
                    ORDER BY detected_at DESC, id DESC`;
      return this.listStatement(sql)
        .all(...(app === undefined ? [] : [app]))
        .map(toIncident);
    });
  }

  transition(id: string, change: Transition): Promise<Incident | null> {
    return guard(() => this.transitionTx.immediate(id, change));
  }

  update(id: string, change: Change): Promise<Incident | null> {
    return guard(() => this.updateTx.immediate(id, change));
  }
}
