import type { Finding, Signal } from './detector/signals';
import { percent as pct, utcTime as hhmm } from './format';
import type { Impact, Incident, IncidentStatus, SuspectedCause, TimelineEntry } from './types';

/**
 * The incident lifecycle, as pure functions shared by the live incident service and the backtest.
 *
 *   open ──ack──▶ acknowledged ──resolve──▶ resolved
 *     └──────────────resolve────────────────▲   │
 *     ▲────────────reopen (relapse within cool-down)
 */
const ALLOWED: Record<IncidentStatus, readonly IncidentStatus[]> = {
  open: ['acknowledged', 'resolved'],
  acknowledged: ['resolved'],
  resolved: ['open'],
};

/** The statuses from which `to` may be reached: what the store's compare-and-set checks. */
export function transitionSources(to: IncidentStatus): IncidentStatus[] {
  return (Object.keys(ALLOWED) as IncidentStatus[]).filter((from) => ALLOWED[from].includes(to));
}

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return ALLOWED[from].includes(to);
}

const DIMENSION_LABEL: Record<SuspectedCause['dimension'], string> = {
  appVersion: 'app version',
  platform: 'platform',
  osVersion: 'OS version',
  region: 'region',
  errorCode: 'error code',
};

export function describeCause(cause: SuspectedCause | null): string {
  if (!cause) return 'no single slice (all versions and platforms affected)';
  const where = `${DIMENSION_LABEL[cause.dimension]} ${cause.value}`;
  return cause.release ? `${where}, released ${hhmm(cause.release.releasedAt)} UTC` : where;
}

/** A title that reads like a page: what, how bad against normal, and where. */
export function incidentTitle(finding: Pick<Finding, 'kind' | 'impact' | 'suspectedCause'>): string {
  const { impact, suspectedCause } = finding;
  const where = suspectedCause ? ` — ${describeCause(suspectedCause)}` : ' — all versions';
  if (finding.kind === 'volume_drop') {
    const now = Math.round(impact.loginsPerMinute ?? 0);
    const base = Math.round(impact.baselineLoginsPerMinute ?? 0);
    return `Logins dropped to ${now}/min (usually ${base}/min)${where}`;
  }
  return `Login failures at ${pct(impact.errorRate)} (baseline ${pct(impact.baselineErrorRate)})${where}`;
}

export function describeImpact(impact: Impact): string {
  return (
    `${pct(impact.errorRate)} of logins failing (baseline ${pct(impact.baselineErrorRate)}), ` +
    `${impact.failedLogins} failed logins, ${impact.affectedUsers} users affected (${pct(impact.affectedUserPct)} of active users)`
  );
}

/** The first timeline entries of a new incident: when it started (estimated) and when Vigil recognised it. */
export function openingTimeline(finding: Finding, detectedAt: number): TimelineEntry[] {
  return [
    {
      at: finding.startedAt,
      type: 'started',
      message: `Anomaly began (estimated change point)${finding.suspectedCause ? ` in ${describeCause(finding.suspectedCause)}` : ''}`,
    },
    { at: detectedAt, type: 'detected', message: `Vigil detected: ${incidentTitle(finding)}. ${describeImpact(finding.impact)}.` },
  ];
}

export function reopenEntry(finding: Finding, at: number): TimelineEntry {
  return { at, type: 'detected', message: `Relapse detected, incident reopened: ${incidentTitle(finding)}` };
}

export function resolveEntry(at: number, by?: string, note?: string): TimelineEntry {
  const who = by ? `Resolved by ${by}` : 'Resolved automatically: login metrics back to baseline';
  return { at, type: 'resolved', message: note ? `${who}: ${note}` : who, ...(by ? { by } : {}) };
}

export function acknowledgeEntry(at: number, by: string): TimelineEntry {
  return { at, type: 'acknowledged', message: `Acknowledged by ${by}`, by };
}

/** What the detector's signals refresh on an incident. */
export type Refreshable = Pick<Incident, 'severity' | 'title' | 'impact' | 'suspectedCause'>;

/** The new incident a fresh `open` signal describes, before the store gives it an id. */
export function newIncidentFrom(app: string, finding: Finding, detectedAt: number) {
  return {
    app,
    fingerprint: finding.fingerprint,
    kind: finding.kind,
    severity: finding.severity,
    title: incidentTitle(finding),
    startedAt: finding.startedAt,
    detectedAt,
    impact: finding.impact,
    suspectedCause: finding.suspectedCause,
    timeline: openingTimeline(finding, detectedAt),
  };
}

/** Fields an `update` signal refreshes while the incident is open. */
export function patchFrom(finding: Finding): Refreshable {
  return {
    severity: finding.severity,
    title: incidentTitle(finding),
    impact: finding.impact,
    suspectedCause: finding.suspectedCause,
  };
}

/** A relative move of at least this much in an impact number is news; smaller drift is noise between evaluations. */
const IMPACT_NEWS = 0.1;

const movedMuch = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? a !== b : Math.abs(a - b) > IMPACT_NEWS * Math.max(Math.abs(a), Math.abs(b));

const sameCause = (a: SuspectedCause | null, b: SuspectedCause | null) =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.dimension === b.dimension &&
    a.value === b.value &&
    a.release?.appVersion === b.release?.appVersion &&
    a.release?.releasedAt === b.release?.releasedAt);

/**
 * Whether an `update` signal changes what a reader of the incident would see. The detector re-emits every evaluation
 * (every few seconds); writing each one would churn the store for numbers that drift by a few logins.
 */
export function isMaterialUpdate(current: Refreshable, next: Refreshable): boolean {
  if (current.severity !== next.severity || current.title !== next.title) return true;
  if (!sameCause(current.suspectedCause, next.suspectedCause)) return true;
  const keys = Object.keys({ ...current.impact, ...next.impact }) as (keyof Impact)[];
  return keys.some((k) => movedMuch(current.impact[k], next.impact[k]));
}

/** A severity change: by an operator (a note under their name) or by the detector (part of the detection story). */
export function severityEntry(from: Incident['severity'], to: Incident['severity'], at: number, by?: string): TimelineEntry {
  return by
    ? { at, type: 'note', message: `Severity changed from ${from} to ${to} by ${by}`, by }
    : { at, type: 'detected', message: `Severity changed from ${from} to ${to}` };
}

export function publicMessageEntry(message: string | null, at: number, by: string): TimelineEntry {
  const what = message === null ? 'reset the status message for users to the generic one' : `set the status message for users: "${message}"`;
  return { at, type: 'note', message: `${by} ${what}`, by };
}

export function noteEntry(text: string, at: number, by: string): TimelineEntry {
  return { at, type: 'note', message: text, by };
}

/** What an incident book (the live store, the backtest's memory) holds for a signal's fingerprint. */
export interface HeldIncidents {
  /** The open or acknowledged incident of the app + fingerprint, if any. */
  open: (Refreshable & Pick<Incident, 'id' | 'status'>) | null;
  /**
   * The most recently resolved incident of the fingerprint within the reopen window, when nothing is open; only
   * resolve and reopen signals look at it (see `looksBack`), so a book may skip reading it for the others.
   */
  recentlyResolved: Pick<Incident, 'id' | 'status'> | null;
}

/** Whether a signal's change depends on `HeldIncidents.recentlyResolved`. */
export const looksBack = (signal: Signal): boolean => signal.type === 'resolve' || signal.type === 'reopen';

/**
 * What one detector signal does to the incident book:
 * - open: a new incident (`incident`, without id or status: the book gives those);
 * - update: a patch and timeline entries for the open incident;
 * - transition: a compare-and-set status change (`from` → `to`) with its patch and timeline entries;
 * - retell: the book already is as the signal says (a signal applied again after a crash): nothing to write,
 *   listeners are told `event` again, idempotently;
 * - none: nothing to do.
 */
export type IncidentChange =
  | { type: 'open'; incident: ReturnType<typeof newIncidentFrom> }
  | { type: 'update'; id: string; patch: Refreshable; timeline: TimelineEntry[] }
  | { type: 'transition'; id: string; from: IncidentStatus[]; to: IncidentStatus; event: 'resolved' | 'reopened'; patch?: Refreshable; timeline: TimelineEntry[] }
  | { type: 'retell'; id: string; event: 'opened' | 'resolved' | 'reopened' }
  | { type: 'none' };

/**
 * The one rule of how the detector's signals change incidents, for the live incident service and the backtest alike.
 * `held` is what the book holds for the signal's fingerprint when the signal is applied.
 */
export function changeForSignal(app: string, signal: Signal, held: HeldIncidents): IncidentChange {
  const { finding, at } = signal;
  const { open, recentlyResolved } = held;
  switch (signal.type) {
    case 'open':
      return open ? { type: 'retell', id: open.id, event: 'opened' } : { type: 'open', incident: newIncidentFrom(app, finding, at) };
    case 'update': {
      // Nothing open: an operator resolved it while the anomaly lasted. Their call stands until a relapse is detected.
      if (!open) return { type: 'none' };
      const patch = patchFrom(finding);
      if (!isMaterialUpdate(open, patch)) return { type: 'none' };
      const timeline = open.severity === patch.severity ? [] : [severityEntry(open.severity, patch.severity, at)];
      return { type: 'update', id: open.id, patch, timeline };
    }
    case 'resolve':
      if (open) return { type: 'transition', id: open.id, from: transitionSources('resolved'), to: 'resolved', event: 'resolved', timeline: [resolveEntry(at)] };
      // Resolved already (by an operator racing the detector, or by this signal before a crash).
      return recentlyResolved ? { type: 'retell', id: recentlyResolved.id, event: 'resolved' } : { type: 'none' };
    case 'reopen':
      // Already open: this signal was applied before a crash, or another worker got there first.
      if (open) return { type: 'retell', id: open.id, event: 'reopened' };
      if (recentlyResolved) {
        return { type: 'transition', id: recentlyResolved.id, from: ['resolved'], to: 'open', event: 'reopened', patch: patchFrom(finding), timeline: [reopenEntry(finding, at)] };
      }
      // Resolved too long ago (or never stored): the relapse is a new incident.
      return { type: 'open', incident: newIncidentFrom(app, finding, at) };
  }
}
