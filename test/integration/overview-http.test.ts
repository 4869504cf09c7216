import { generateIngestKey } from '../../src/apps/keys';
import type { CounterSource } from '../../src/counters/ports';
import { MemoryCounters } from '../../src/counters/memory';
import type { App } from '../../src/domain/types';
import { overviewRouter } from '../../src/http/routes/overview';
import { call, incidentHarness, MIN, serve, signal, T0, type IncidentHarness } from './incident-fixtures';

/** GET /v1/overview over real HTTP, on the real embedded store: each app's health, unresolved incidents, last hour. */
describe('GET /v1/overview', () => {
  let h: IncidentHarness;
  let server: { url: string; close(): Promise<void> };
  const apps: Record<string, App> = {};
  const perApp = new Map<string, MemoryCounters>();
  const counters: CounterSource = {
    buckets: (app, from, to, step) => (perApp.get(app) ?? new MemoryCounters(app)).buckets(app, from, to, step),
    distinctUsers: (app, from, to, slice) => (perApp.get(app) ?? new MemoryCounters(app)).distinctUsers(app, from, to, slice),
  };

  beforeAll(async () => {
    h = await incidentHarness('overview-http');
    for (const name of ['quiet', 'broken', 'shaky']) {
      apps[name] = await h.stores.apps.create({ name, key: generateIngestKey(T0), createdAt: T0 });
    }
    const quiet = new MemoryCounters(apps.quiet!.id);
    const minute = (at: number, attempts: number, failures: number) =>
      quiet.add({ type: 'login_aggregate', minute: at, attempts, failures, appVersion: '5.1.0', platform: 'ios' });
    minute(T0 - 5 * MIN, 100, 10);
    minute(T0 - 30 * MIN, 300, 2);
    minute(T0 - 90 * MIN, 50, 50); // more than an hour ago: not in "the last hour"
    perApp.set(apps.quiet!.id, quiet);
    await h.service.applySignals(apps.broken!.id, [signal('open', T0 - 10 * MIN, { severity: 'critical' })], T0 - 10 * MIN);
    await h.service.applySignals(apps.shaky!.id, [signal('open', T0 - 10 * MIN, { severity: 'minor' })], T0 - 10 * MIN);
    server = await serve(h, (auth) => [overviewRouter({ auth, apps: h.stores.apps, incidents: h.stores.incidents, counters, clock: h.clock })]);
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  it('when apps are healthy, in outage or degraded, then each says so with its open incidents and last hour', async () => {
    const res = await call(`${server.url}/v1/overview`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { at: string; apps: Array<{ name: string }> };
    expect(body.at).toBe(new Date(T0).toISOString());
    const byName = Object.fromEntries(body.apps.map((a) => [a.name, a]));
    expect(byName).toEqual({
      quiet: { id: apps.quiet!.id, name: 'quiet', status: 'operational', openIncidents: 0, lastHour: { attempts: 400, failures: 12, errorRate: 0.03 } },
      broken: { id: apps.broken!.id, name: 'broken', status: 'outage', openIncidents: 1, lastHour: { attempts: 0, failures: 0, errorRate: 0 } },
      shaky: { id: apps.shaky!.id, name: 'shaky', status: 'degraded', openIncidents: 1, lastHour: { attempts: 0, failures: 0, errorRate: 0 } },
    });
  });

  it('when a query parameter is given, then 400 names it (the overview takes none)', async () => {
    const res = await call(`${server.url}/v1/overview?window=7d`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: unknown } }).error.details).toEqual([{ field: 'window', message: 'unknown field' }]);
  });

  it('when called without the admin token or a session, then 401', async () => {
    expect((await call(`${server.url}/v1/overview`, { token: null })).status).toBe(401);
  });
});
