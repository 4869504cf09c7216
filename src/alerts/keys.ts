import type { Incident } from '../domain/types';
import type { NotifyEvent } from '../queue/names';

/**
 * The names that make alerting idempotent. Every id here is derived from the incident, the event and the occurrence,
 * never from time or randomness, so telling the same event twice (after a crash) lands on the same job, the same
 * marker and the same dedupKey. BullMQ refuses custom job ids that contain ':' or are integers: these never do.
 */

/**
 * Which opening of the incident this is: 1 for the first, +1 per reopen. Opening writes exactly one `detected` entry
 * and every reopen appends one more (incident-machine's openingTimeline / reopenEntry), so the count is stable across
 * any number of re-reads of the same state.
 */
export function occurrenceOf(incident: Incident): number {
  return Math.max(1, incident.timeline.filter((e) => e.type === 'detected').length);
}

/** When the current occurrence was recognised: the last `detected` entry (the relapse, after a reopen). */
export function occurrenceDetectedAt(incident: Incident): number {
  const detected = incident.timeline.filter((e) => e.type === 'detected');
  return detected[detected.length - 1]?.at ?? incident.detectedAt;
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
