import type { TimelineEntry } from '../domain/types';
import type { IncidentStore } from '../store/ports';
import type { OnceMarkers } from './once';

/** Appends one timeline entry at most once per marker name: retries and re-told events write nothing more. */
export async function noteOnce(
  deps: { incidents: Pick<IncidentStore, 'update'>; markers: OnceMarkers },
  marker: string,
  incidentId: string,
  entry: TimelineEntry,
): Promise<boolean> {
  return deps.markers.once(marker, () => deps.incidents.update(incidentId, { at: entry.at, timeline: [entry] }));
}
