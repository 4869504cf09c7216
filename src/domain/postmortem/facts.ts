import type { Incident, PostmortemFacts } from '../types';

/** Only resolved incidents get a postmortem: every fact below needs an end. */
export type ResolvedIncident = Incident & { status: 'resolved'; resolvedAt: number };

export function isResolved(incident: Incident): incident is ResolvedIncident {
  return incident.status === 'resolved' && incident.resolvedAt !== null;
}

/** What the caller may know beyond the incident record, e.g. the peak of the failure-rate series. */
export interface ExtraFacts {
  peakErrorRate?: number;
}

export function factsOf(incident: ResolvedIncident, extra: ExtraFacts = {}): PostmortemFacts {
  const pages = incident.timeline.filter((e) => e.type === 'alerted').map((e) => e.at);
  return {
    startedAt: incident.startedAt,
    detectedAt: incident.detectedAt,
    resolvedAt: incident.resolvedAt,
    durationMs: incident.resolvedAt - incident.startedAt,
    detectionLagMs: incident.detectedAt - incident.startedAt,
    firstPageAt: pages.length > 0 ? Math.min(...pages) : null,
    acknowledgedAt: incident.acknowledgedAt,
    // The incident keeps the latest impact the detector saw; a caller reading the series may know a higher peak.
    peakErrorRate: Math.max(incident.impact.errorRate, extra.peakErrorRate ?? 0),
    baselineErrorRate: incident.impact.baselineErrorRate,
    failedLogins: incident.impact.failedLogins,
    affectedUsers: incident.impact.affectedUsers,
    affectedUserPct: incident.impact.affectedUserPct,
    suspectedCause: incident.suspectedCause,
  };
}

/** From detection to the first page; null when nobody was paged. */
export function pageDelayMs(facts: PostmortemFacts): number | null {
  return facts.firstPageAt === null ? null : facts.firstPageAt - facts.detectedAt;
}

/** From the first page (or detection, when nobody was paged) to the acknowledgement; null when never acknowledged. */
export function acknowledgementDelayMs(facts: PostmortemFacts): number | null {
  return facts.acknowledgedAt === null ? null : facts.acknowledgedAt - (facts.firstPageAt ?? facts.detectedAt);
}
