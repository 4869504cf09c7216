import type { Incident } from '../domain/types';
import type { NotifyEvent } from '../queue/names';

/**
 * The names that make alerting idempotent. Every id here is derived from the incident, the event and the occurrence,
 * never from time or randomness, so telling the same event twice (after a crash) lands on the same job, the same
 * marker and the same dedupKey. BullMQ refuses custom job ids that contain ':' or are integers: these never do.
 */

/**
 * Which opening of the incident this is: 1 for the first, +1 per reopen. Every resolve writes exactly one `resolved`
 * entry (through the store's compare-and-set) and only a resolved incident can reopen, so the count is stable across
 * any number of re-reads of the same state, whatever else (notes, severity changes) the timeline gathers.
 */
export function occurrenceOf(incident: Incident): number {
  const resolves = incident.timeline.filter((e) => e.type === 'resolved').length;
  return incident.status === 'resolved' ? Math.max(1, resolves) : resolves + 1;
}

/** When the current occurrence was recognised: the relapse entry after the last resolve, else detectedAt. */
export function occurrenceDetectedAt(incident: Incident): number {
  const lastResolve = incident.timeline.map((e) => e.type).lastIndexOf('resolved');
  if (lastResolve < 0) return incident.detectedAt;
  return incident.timeline.slice(lastResolve + 1).find((e) => e.type === 'detected')?.at ?? incident.detectedAt;
}

/** Same on every retry and every re-telling of one logical notification; a reopen or a new level is a new one. */
export function dedupKeyOf(incidentId: string, event: NotifyEvent, occurrence: number, level?: number): string {
  const name = event.replace('incident.', '');
  return `${incidentId}-${name}-${occurrence}${level === undefined ? '' : `-L${level}`}`;
}

export function deliverJobId(channelId: string, dedupKey: string): string {
  return `deliver-${channelId}-${dedupKey}`;
}

export function escalateJobId(channelId: string, incidentId: string, occurrence: number, level: number): string {
  return `escalate-${channelId}-${incidentId}-${occurrence}-L${level}`;
}

/** PagerDuty groups every event of one Vigil incident (trigger, escalations, acknowledge, resolve) under one alert. */
export function pagerDutyDedupKey(incidentId: string): string {
  return `vigil-${incidentId}`;
}

/**
 * Completed jobs are the duplicate filter: BullMQ ignores an add whose jobId still exists in any state. Keeping them a
 * week (bounded by count) means an event re-told within that window is never delivered twice.
 */
export const DEDUP_RETENTION_SECONDS = 7 * 24 * 3600;
export const DEDUP_RETENTION = { removeOnComplete: { age: DEDUP_RETENTION_SECONDS, count: 50_000 } } as const;
