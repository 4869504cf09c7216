import type { Incident, SuspectedCause, TimelineEntry } from '../domain/types';

/** Epoch ms → ISO-8601 UTC at the edge; null stays null. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function presentTimeline(entries: TimelineEntry[]) {
  return entries.map((e) => ({ ...e, at: iso(e.at) }));
}

export function presentCause(cause: SuspectedCause | null) {
  return cause && { ...cause, release: cause.release && { ...cause.release, releasedAt: iso(cause.release.releasedAt) } };
}

/** The Incident of CONTRACT.md. */
export function presentIncident(incident: Incident) {
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
