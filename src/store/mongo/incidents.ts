import { Schema, type Connection, type Model, type QueryFilter, type UpdateQuery } from 'mongoose';
import {
  INCIDENT_KINDS,
  INCIDENT_STATUSES,
  SEVERITIES,
  TIMELINE_TYPES,
  type Impact,
  type Incident,
  type IncidentKind,
  type IncidentStatus,
  type Severity,
  type SuspectedCause,
  type TimelineEntry,
  type TimelineType,
} from '../../domain/types';
import { conflict } from '../../errors';
import { newIncidentRecord } from '../records';
import { decodeCursor, pageSize, toPage } from '../cursor';
import { definedPatch, statusTimes } from '../incident-changes';
import type { IncidentFilter, IncidentPatch, IncidentStore, NewIncident } from '../ports';
import { OPEN_KEY_INDEX } from './migrations';
import { SerialByKey } from './serial';
import { guard, isDuplicateKey, toDate, toDateOrNull, toMs, toMsOrNull } from './mongo-errors';

interface TimelineDoc {
  at: Date;
  type: TimelineType;
  message: string;
  by?: string;
}

export interface IncidentDoc {
  _id: string;
  app: string;
  fingerprint: string;
  /**
   * The key of the one-open-incident invariant, under a plain unique index: app + NUL + fingerprint while the incident
   * is unresolved, its own id once resolved (unique by itself, so resolved incidents never collide). Partial and
   * sparse indexes would say it more directly, but FerretDB 1.x, Cosmos DB and older DocumentDB lack them.
   */
  openKey: string;
  kind: IncidentKind;
  status: IncidentStatus;
  severity: Severity;
  title: string;
  startedAt: Date;
  detectedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  impact: Impact;
  suspectedCause: SuspectedCause | null;
  timeline: TimelineDoc[];
  publicMessage: string | null;
  updatedAt: Date;
  version: number;
}

const timelineSchema = new Schema<TimelineDoc>(
  {
    at: { type: Date, required: true },
    type: { type: String, enum: TIMELINE_TYPES, required: true },
    message: { type: String, required: true },
    by: { type: String },
  },
  { _id: false },
);

const incidentSchema = new Schema<IncidentDoc>(
  {
    _id: { type: String, required: true },
    app: { type: String, required: true },
    fingerprint: { type: String, required: true },
    openKey: { type: String, required: true },
    kind: { type: String, enum: INCIDENT_KINDS, required: true },
    status: { type: String, enum: INCIDENT_STATUSES, required: true },
    severity: { type: String, enum: SEVERITIES, required: true },
    title: { type: String, required: true },
    startedAt: { type: Date, required: true },
    detectedAt: { type: Date, required: true },
    acknowledgedAt: { type: Date, default: null },
    resolvedAt: { type: Date, default: null },
    impact: { type: Schema.Types.Mixed, required: true },
    suspectedCause: { type: Schema.Types.Mixed, default: null },
    timeline: { type: [timelineSchema], default: [] },
    publicMessage: { type: String, default: null },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true },
  },
  // minimize off: an impact or cause object must come back exactly as written, empty sub-objects included.
  { versionKey: false, minimize: false },
);
// The invariant the whole dedup story rests on: one unresolved incident per app + fingerprint.
incidentSchema.index({ openKey: 1 }, { unique: true, name: OPEN_KEY_INDEX });
incidentSchema.index({ detectedAt: -1, _id: -1 });
incidentSchema.index({ app: 1, detectedAt: -1, _id: -1 });
incidentSchema.index({ status: 1, detectedAt: -1, _id: -1 });
incidentSchema.index({ app: 1, fingerprint: 1, resolvedAt: -1 });

export const incidentModel = (conn: Connection): Model<IncidentDoc> =>
  conn.model<IncidentDoc>('Incident', incidentSchema, 'incidents');

const openKeyOf = (app: string, fingerprint: string): string => `${app}\u0000${fingerprint}`;

const toEntry = (t: TimelineDoc): TimelineEntry => ({
  at: toMs(t.at),
  type: t.type,
  message: t.message,
  ...(t.by === undefined || t.by === null ? {} : { by: t.by }),
});

const toTimelineDoc = (t: TimelineEntry): TimelineDoc => ({
  at: toDate(t.at),
  type: t.type,
  message: t.message,
  ...(t.by === undefined ? {} : { by: t.by }),
});

const toIncident = (d: IncidentDoc): Incident => ({
  id: d._id,
  app: d.app,
  fingerprint: d.fingerprint,
  kind: d.kind,
  status: d.status,
  severity: d.severity,
  title: d.title,
  startedAt: toMs(d.startedAt),
  detectedAt: toMs(d.detectedAt),
  acknowledgedAt: toMsOrNull(d.acknowledgedAt),
  resolvedAt: toMsOrNull(d.resolvedAt),
  impact: d.impact,
  suspectedCause: d.suspectedCause ?? null,
  timeline: (d.timeline ?? []).map(toEntry),
  publicMessage: d.publicMessage ?? null,
  updatedAt: toMs(d.updatedAt),
  version: d.version,
});

type Change = { at: number; patch?: IncidentPatch; timeline?: TimelineEntry[] };
type Transition = Change & { from: IncidentStatus[]; to: IncidentStatus; by?: string };

/** The $set / $inc / $push shared by every write: patch, updatedAt, version bump, timeline appended in order. */
function changeUpdate(change: Change, extraSet: Record<string, unknown> = {}): UpdateQuery<IncidentDoc> {
  const entries = (change.timeline ?? []).map(toTimelineDoc);
  return {
    $set: { ...definedPatch(change.patch), ...extraSet, updatedAt: toDate(change.at) },
    $inc: { version: 1 },
    ...(entries.length > 0 ? { $push: { timeline: { $each: entries } } } : {}),
  };
}

/** Attempts at open(): each lost race means the winner was resolved before we could read it; more is a bug. */
const OPEN_ATTEMPTS = 3;

export class MongoIncidentStore implements IncidentStore {
  /** One write at a time per incident in this process (see SerialByKey for why). */
  private readonly writes = new SerialByKey();

  constructor(private readonly model: Model<IncidentDoc>) {}

  open(input: NewIncident): Promise<{ incident: Incident; created: boolean }> {
    return guard(async () => {
      const openKey = openKeyOf(input.app, input.fingerprint);
      for (let attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
        const existing = await this.model.findOne({ openKey }).lean<IncidentDoc>().exec();
        if (existing) return { incident: toIncident(existing), created: false };
        const incident = newIncidentRecord(input);
        try {
          await this.model.create({
            _id: incident.id,
            app: incident.app,
            fingerprint: incident.fingerprint,
            openKey,
            kind: incident.kind,
            status: incident.status,
            severity: incident.severity,
            title: incident.title,
            startedAt: toDate(incident.startedAt),
            detectedAt: toDate(incident.detectedAt),
            acknowledgedAt: null,
            resolvedAt: null,
            impact: incident.impact,
            suspectedCause: incident.suspectedCause,
            timeline: incident.timeline.map(toTimelineDoc),
            publicMessage: null,
            updatedAt: toDate(incident.updatedAt),
            version: incident.version,
          });
          return { incident, created: true };
        } catch (err) {
          // Another opener won the unique index: loop to read and return theirs.
          if (!isDuplicateKey(err)) throw err;
        }
      }
      throw conflict(`could not open or find the open incident of fingerprint ${input.fingerprint}`);
    });
  }

  get(id: string): Promise<Incident | null> {
    return guard(async () => {
      const doc = await this.model.findById(id).lean<IncidentDoc>().exec();
      return doc ? toIncident(doc) : null;
    });
  }

  list(filter: IncidentFilter): Promise<{ incidents: Incident[]; nextCursor?: string }> {
    return guard(async () => {
      const and: QueryFilter<IncidentDoc>[] = [];
      if (filter.app !== undefined) and.push({ app: filter.app });
      if (filter.status !== undefined) and.push({ status: filter.status });
      if (filter.since !== undefined) and.push({ detectedAt: { $gte: toDate(filter.since) } });
      if (filter.cursor !== undefined) {
        const after = decodeCursor(filter.cursor);
        const at = toDate(after.detectedAt);
        and.push({ $or: [{ detectedAt: { $lt: at } }, { detectedAt: at, _id: { $lt: after.id } }] });
      }
      const size = pageSize(filter.limit);
      const docs = await this.model
        .find(and.length > 0 ? { $and: and } : {})
        .sort({ detectedAt: -1, _id: -1 })
        .limit(size + 1)
        .lean<IncidentDoc[]>()
        .exec();
      const page = toPage(docs.map(toIncident), size);
      return page.nextCursor === undefined
        ? { incidents: page.items }
        : { incidents: page.items, nextCursor: page.nextCursor };
    });
  }

  findOpen(app: string, fingerprint: string): Promise<Incident | null> {
    return guard(async () => {
      const doc = await this.model.findOne({ openKey: openKeyOf(app, fingerprint) }).lean<IncidentDoc>().exec();
      return doc ? toIncident(doc) : null;
    });
  }

  findRecentlyResolved(app: string, fingerprint: string, resolvedSince: number): Promise<Incident | null> {
    return guard(async () => {
      const doc = await this.model
        .findOne({ app, fingerprint, status: 'resolved', resolvedAt: { $gte: toDate(resolvedSince) } })
        .sort({ resolvedAt: -1, _id: -1 })
        .lean<IncidentDoc>()
        .exec();
      return doc ? toIncident(doc) : null;
    });
  }

  listUnresolved(app?: string): Promise<Incident[]> {
    return guard(async () => {
      const docs = await this.model
        .find({ status: { $ne: 'resolved' }, ...(app === undefined ? {} : { app }) })
        .sort({ detectedAt: -1, _id: -1 })
        .lean<IncidentDoc[]>()
        .exec();
      return docs.map(toIncident);
    });
  }

  transition(id: string, change: Transition): Promise<Incident | null> {
    return guard(() => this.writes.run(id, () => this.applyTransition(id, change)));
  }

  private async applyTransition(id: string, change: Transition): Promise<Incident | null> {
    // app and fingerprint never change, so reading them first cannot go stale; the status CAS below decides.
    const cur = await this.model.findById(id, { app: 1, fingerprint: 1, status: 1 }).lean<IncidentDoc>().exec();
    if (!cur || !change.from.includes(cur.status)) return null;
    const times = statusTimes(change.to, change.at);
    const set: Record<string, unknown> = { status: change.to };
    if (times.acknowledgedAt !== undefined) set.acknowledgedAt = toDateOrNull(times.acknowledgedAt);
    if (times.resolvedAt !== undefined) set.resolvedAt = toDateOrNull(times.resolvedAt);
    // Resolving frees the app + fingerprint key; any other status (a reopen included) claims it, and the unique
    // index refuses the claim while another incident holds it.
    const openKey = change.to === 'resolved' ? id : openKeyOf(cur.app, cur.fingerprint);
    set.openKey = openKey;
    // A reopen asks first as well: a refusal is then a plain answer rather than a failed write to interpret.
    const reopening = cur.status === 'resolved' && change.to !== 'resolved';
    if (reopening && (await this.model.exists({ openKey, _id: { $ne: id } }).exec())) return null;
    try {
      const doc = await this.model
        .findOneAndUpdate({ _id: id, status: { $in: change.from } }, changeUpdate(change, set), { returnDocument: 'after' })
        .lean<IncidentDoc>()
        .exec();
      return doc ? toIncident(doc) : null;
    } catch (err) {
      // Another incident of this fingerprint opened between the question and the write: refused, as the port says.
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  }

  update(id: string, change: Change): Promise<Incident | null> {
    return guard(() =>
      this.writes.run(id, async () => {
        const doc = await this.model
          .findOneAndUpdate({ _id: id }, changeUpdate(change), { returnDocument: 'after' })
          .lean<IncidentDoc>()
          .exec();
        return doc ? toIncident(doc) : null;
      }),
    );
  }
}
