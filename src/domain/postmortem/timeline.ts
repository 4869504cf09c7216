import { TIMELINE_TYPES, type TimelineEntry } from '../types';
import type { ResolvedIncident } from './facts';

interface Ranked {
  entry: TimelineEntry;
  /** Breaks ties at the same minute in causal order: the release, then start, detection, pages, … resolution. */
  rank: number;
}

const rankOf = (type: TimelineEntry['type']) => TIMELINE_TYPES.indexOf(type) + 1;

/**
 * The incident's own timeline, completed with what the record implies but a crash or an older writer may not have
 * logged (start, detection, acknowledgement, resolution) and with the suspected release. The incident service may
 * append an entry twice after a crash, so exact repeats are dropped.
 */
export function postmortemTimeline(incident: ResolvedIncident): TimelineEntry[] {
  const logged = new Set(incident.timeline.map((e) => e.type));
  const ranked: Ranked[] = incident.timeline.map((entry) => ({ entry, rank: rankOf(entry.type) }));
  const implied = (entry: TimelineEntry) => {
    if (!logged.has(entry.type)) ranked.push({ entry, rank: rankOf(entry.type) });
  };

  const release = incident.suspectedCause?.release;
  if (release) {
    ranked.push({ entry: { at: release.releasedAt, type: 'note', message: `App version ${release.appVersion} released` }, rank: 0 });
  }
  implied({ at: incident.startedAt, type: 'started', message: 'Anomaly began (estimated change point)' });
  implied({ at: incident.detectedAt, type: 'detected', message: `Vigil detected: ${incident.title}` });
  if (incident.acknowledgedAt !== null) implied({ at: incident.acknowledgedAt, type: 'acknowledged', message: 'Acknowledged' });
  implied({ at: incident.resolvedAt, type: 'resolved', message: 'Resolved' });

  const seen = new Set<string>();
  return ranked
    .sort((a, b) => a.entry.at - b.entry.at || a.rank - b.rank)
    .map((r) => r.entry)
    .filter((e) => {
      const key = JSON.stringify([e.at, e.type, e.message, e.by ?? null]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
