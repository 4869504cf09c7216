import type { Clock } from '../clock';
import type { CounterSource } from '../counters/ports';
import { MINUTE_MS } from '../domain/time';
import type { App, Incident } from '../domain/types';
import { publicStatus, type AppHealth } from '../incidents/public-status';
import type { AppStore, IncidentStore } from '../store/ports';

/** Apps are created by operators, so few; this bounds one overview's Redis reads all the same. */
export const MAX_OVERVIEW_APPS = 500;
const WINDOW_MS = 60 * MINUTE_MS;
/** Apps whose counters are read at once: enough to hide latency, few enough not to crowd Redis. */
const CONCURRENCY = 16;

export interface AppOverview {
  app: App;
  /** What the app's users are told (GET /v1/status): an outage when a critical incident is unresolved. */
  status: AppHealth;
  openIncidents: number;
  lastHour: { attempts: number; failures: number; errorRate: number };
}

export interface OverviewDeps {
  apps: Pick<AppStore, 'list'>;
  incidents: Pick<IncidentStore, 'listUnresolved'>;
  counters: CounterSource;
  clock: Clock;
}

/** Every app at a glance, for the dashboard's first page: health, unresolved incidents, the last 60 minutes' logins. */
export async function appsOverview(deps: OverviewDeps): Promise<{ apps: AppOverview[]; truncated: boolean }> {
  const now = deps.clock.now();
  const [all, unresolved] = await Promise.all([deps.apps.list(), deps.incidents.listUnresolved()]);
  const apps = all.slice(0, MAX_OVERVIEW_APPS);
  const byApp = new Map<string, Incident[]>();
  for (const incident of unresolved) byApp.set(incident.app, [...(byApp.get(incident.app) ?? []), incident]);

  const overviews: AppOverview[] = [];
  for (let i = 0; i < apps.length; i += CONCURRENCY) {
    const chunk = apps.slice(i, i + CONCURRENCY);
    overviews.push(...(await Promise.all(chunk.map((app) => overviewOf(deps, app, byApp.get(app.id) ?? [], now)))));
  }
  return { apps: overviews, truncated: all.length > apps.length };
}

async function overviewOf(deps: OverviewDeps, app: App, unresolved: Incident[], now: number): Promise<AppOverview> {
  // Minute buckets, not an hourly one: "the last hour" is the last 60 minutes, not the current clock hour.
  const buckets = await deps.counters.buckets(app.id, now - WINDOW_MS, now, MINUTE_MS);
  const attempts = buckets.reduce((sum, b) => sum + b.total.attempts, 0);
  const failures = buckets.reduce((sum, b) => sum + b.total.failures, 0);
  return {
    app,
    status: publicStatus(unresolved).status,
    openIncidents: unresolved.length,
    lastHour: { attempts, failures, errorRate: attempts > 0 ? failures / attempts : 0 },
  };
}
