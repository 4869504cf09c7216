import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import type { Incident, IncidentStatus, Severity } from '../domain/types';
import type { IncidentStore } from '../store/ports';
import { GENERIC_TITLE, PROGRESS } from './banner-text';

export const APP_HEALTH = ['operational', 'degraded', 'outage'] as const;
export type AppHealth = (typeof APP_HEALTH)[number];

export interface PublicIncident {
  id: string;
  title: string;
  status: IncidentStatus;
  startedAt: number;
  message: string;
}

export interface PublicStatus {
  status: AppHealth;
  incidents: PublicIncident[];
}

/**
 * What end users read in the app's banner. Titles and suspected causes are written for engineers ("appVersion 5.2.0,
 * 38% failing") and stay internal; users see the operator's publicMessage, or GENERIC_TITLE.
 */
export { GENERIC_TITLE };

const HEALTH: Record<Severity, AppHealth> = { critical: 'outage', major: 'degraded', minor: 'degraded' };

/** The banner of an app, from its unresolved incidents (newest first, as the store lists them). */
export function publicStatus(unresolved: Incident[]): PublicStatus {
  const open = unresolved.filter((i): i is Incident & { status: keyof typeof PROGRESS } => i.status !== 'resolved');
  const status = open.some((i) => HEALTH[i.severity] === 'outage') ? 'outage' : open.length > 0 ? 'degraded' : 'operational';
  return {
    status,
    incidents: open.map((i) => ({
      id: i.id,
      title: i.publicMessage ?? GENERIC_TITLE,
      status: i.status,
      startedAt: i.startedAt,
      message: PROGRESS[i.status],
    })),
  };
}

/** A weak validator: two bodies with the same status and incidents are interchangeable for a banner. */
export function statusEtag(status: PublicStatus): string {
  return `W/"${createHash('sha1').update(JSON.stringify(status)).digest('base64url')}"`;
}

interface Entry {
  value: Promise<{ status: PublicStatus; etag: string }>;
  expires: number;
}

/**
 * Every device of an app polls the status; the store should see one read per app every few seconds, not one per
 * device. Concurrent misses share one read. Entries are per app (operator-created, so bounded).
 */
export class PublicStatusCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly incidents: Pick<IncidentStore, 'listUnresolved'>,
    private readonly clock: Clock,
    private readonly ttlMs = 5_000,
  ) {}

  get(app: string): Promise<{ status: PublicStatus; etag: string }> {
    const now = this.clock.now();
    const hit = this.entries.get(app);
    if (hit && hit.expires > now) return hit.value;
    const value = this.incidents.listUnresolved(app).then((unresolved) => {
      const status = publicStatus(unresolved);
      return { status, etag: statusEtag(status) };
    });
    this.entries.set(app, { value, expires: now + this.ttlMs });
    // A failed read must not be served for the whole TTL: the next request tries the store again.
    value.catch(() => {
      if (this.entries.get(app)?.value === value) this.entries.delete(app);
    });
    return value;
  }
}
