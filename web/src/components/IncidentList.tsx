import { Link } from 'wouter';
import { duration, when } from '../format';
import type { Incident } from '../types';
import { useNow } from '../use-api';
import { Badge, Loading } from './bits';

/** Incidents as cards that read well at 390 px: title first, then status, severity and when. */
export function IncidentList({ incidents, loading, empty, appNames }: { incidents: Incident[]; loading: boolean; empty: string; appNames?: Map<string, string> }) {
  const now = useNow();
  if (loading) return <Loading what="incidents" />;
  if (incidents.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="incident-list">
      {incidents.map((i) => (
        <li key={i.id}>
          <Link href={`/incidents/${i.id}`}>{i.title}</Link>
          <div className="meta">
            <Badge value={i.status} />
            <Badge value={i.severity} kind={`sev-${i.severity}`} />
            {appNames && <span>{appNames.get(i.app) ?? i.app}</span>}
            <span>detected {when(i.detectedAt)}</span>
            <span>
              {i.resolvedAt
                ? `lasted ${duration(Date.parse(i.resolvedAt) - Date.parse(i.startedAt))}`
                : `going on for ${duration(now - Date.parse(i.startedAt))}`}
            </span>
          </div>
        </li>
      ))}
    </ul>
  );
}
