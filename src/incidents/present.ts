/**
 * How incidents look outside Vigil — API answers, webhook payloads, backtest output — in one shape: times as ISO-8601
 * strings, and the zod schemas of that shape, which the OpenAPI document publishes.
 */
import { z } from 'zod';
import { DIMENSIONS, INCIDENT_KINDS, INCIDENT_STATUSES, SEVERITIES, TIMELINE_TYPES, type Incident, type SuspectedCause, type TimelineEntry } from '../domain/types';

/** A time in an answer. */
export const IsoTime = z.iso.datetime().describe('ISO-8601 UTC');

/** Epoch ms → ISO-8601 UTC at the edge; null stays null. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export const TimelineOut = z.array(
  z.object({ at: IsoTime, type: z.enum(TIMELINE_TYPES), message: z.string(), by: z.string().optional() }).meta({ id: 'TimelineEntry' }),
);

export const CauseOut = z
  .object({
    dimension: z.enum(DIMENSIONS),
    value: z.string(),
    share: z.number().describe('Fraction (0..1) of the excess failures this slice explains'),
    release: z.object({ appVersion: z.string(), releasedAt: IsoTime }).nullable().describe('The release of that version, when one was registered'),
  })
  .nullable()
  .meta({ id: 'SuspectedCause', description: 'null: the anomaly is not concentrated in one slice (a backend outage)' });

export const ImpactOut = z
  .object({
    errorRate: z.number(),
    baselineErrorRate: z.number(),
    failedLogins: z.number(),
    affectedUsers: z.number(),
    affectedUserPct: z.number().describe('Affected users as a fraction (0..1) of the users active meanwhile'),
    loginsPerMinute: z.number().optional().describe('Volume drops: logins per minute now'),
    baselineLoginsPerMinute: z.number().optional().describe('Volume drops: logins per minute expected'),
  })
  .meta({ id: 'Impact' });

export const IncidentOut = z
  .object({
    id: z.string(),
    app: z.string(),
    kind: z.enum(INCIDENT_KINDS),
    status: z.enum(INCIDENT_STATUSES),
    severity: z.enum(SEVERITIES),
    title: z.string(),
    fingerprint: z.string(),
    startedAt: IsoTime.describe('The detector’s estimate of when the anomaly began'),
    detectedAt: IsoTime.describe('When it was recognised'),
    acknowledgedAt: IsoTime.nullable(),
    resolvedAt: IsoTime.nullable(),
    impact: ImpactOut,
    suspectedCause: CauseOut,
    publicMessage: z.string().nullable().describe('What users see in the app’s banner; null: a generic message'),
    timeline: TimelineOut,
    updatedAt: IsoTime,
  })
  .meta({ id: 'Incident' });

export function presentTimeline(entries: TimelineEntry[]): z.input<typeof TimelineOut> {
  return entries.map((e) => ({ ...e, at: iso(e.at) }));
}

export function presentCause(cause: SuspectedCause | null): z.input<typeof CauseOut> {
  return cause && { ...cause, release: cause.release && { ...cause.release, releasedAt: iso(cause.release.releasedAt) } };
}

/** The Incident of the API. */
export function presentIncident(incident: Incident): z.input<typeof IncidentOut> {
  return {
    id: incident.id,
    app: incident.app,
    kind: incident.kind,
    status: incident.status,
    severity: incident.severity,
    title: incident.title,
    fingerprint: incident.fingerprint,
    startedAt: iso(incident.startedAt),
    detectedAt: iso(incident.detectedAt),
    acknowledgedAt: iso(incident.acknowledgedAt),
    resolvedAt: iso(incident.resolvedAt),
    impact: incident.impact,
    suspectedCause: presentCause(incident.suspectedCause),
    publicMessage: incident.publicMessage,
    timeline: presentTimeline(incident.timeline),
    updatedAt: iso(incident.updatedAt),
  };
}
