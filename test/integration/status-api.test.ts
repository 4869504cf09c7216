import { AppService } from '../../src/apps/service';
import type { App } from '../../src/domain/types';
import { statusRouter } from '../../src/http/routes/status';
import { PublicStatusCache } from '../../src/incidents/public-status';
import { call, incidentHarness, serve, signal, T0, type IncidentHarness } from './incident-fixtures';

describe('GET /v1/status over HTTP', () => {
  let h: IncidentHarness;
  let server: { url: string; close(): Promise<void> };
  let app: App;
  let ingestKey: string;
  let reads = 0;

  beforeAll(async () => {
    h = await incidentHarness('status-api');
    const counted = {
      listUnresolved: (appId?: string) => {
        reads += 1;
        return h.stores.incidents.listUnresolved(appId);
      },
    };
    // Its rate limit is covered with the whole service in http-hardening.test.ts.
    const unlimited = async () => undefined;
    server = await serve(h, (auth) => [statusRouter({ auth, status: new PublicStatusCache(counted, h.clock, 5_000), limit: unlimited })]);
    ({ ingestKey, ...app } = await new AppService(h.stores.apps, h.clock).create('shop-android'));
  });
  afterAll(async () => {
    await server.close();
    await h.close();
  });

  const status = (headers: Record<string, string> = {}) => call(`${server.url}/v1/status`, { token: ingestKey, headers });

  it('when nothing is wrong, then the app is operational, with a weak ETag and private caching', async () => {
    const res = await status();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'operational', incidents: [] });
    expect(res.headers.get('etag')).toMatch(/^W\/"/);
    expect(res.headers.get('cache-control')).toBe('private, max-age=15');
    expect(res.headers.get('vary')).toContain('Authorization');
  });

  it('when the device sends the ETag it has, then the answer is 304 without a body', async () => {
    const etag = (await status()).headers.get('etag')!;
    const res = await status({ 'if-none-match': etag });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
  });

  it('when many devices poll within a few seconds, then the store is read once', async () => {
    h.clock.advance(10_000);
    const before = reads;
    await Promise.all(Array.from({ length: 20 }, () => status()));
    expect(reads).toBe(before + 1);
  });

  it('when a critical incident opens, then after the cache expires the app is in outage, in words users can read', async () => {
    await h.service.applySignals(app.id, [signal('open', T0, { severity: 'critical' })], T0);
    const stale = await status();
    const etag = stale.headers.get('etag')!;
    expect(((await stale.json()) as { status: string }).status).toBe('operational');

    h.clock.advance(6_000);
    const res = await status({ 'if-none-match': etag });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; incidents: Array<Record<string, string>> };
    expect(body.status).toBe('outage');
    expect(body.incidents).toEqual([
      {
        id: expect.stringMatching(/^inc_/),
        title: 'Some users may have trouble logging in',
        status: 'open',
        startedAt: new Date(T0 - 5 * 60_000).toISOString(),
        message: 'We are aware of the problem and looking into it.',
      },
    ]);
    expect(JSON.stringify(body)).not.toContain('5.2.0');
  });

  it('when the admin token or no token is used, then 403 and 401: status is per app', async () => {
    expect((await call(`${server.url}/v1/status`)).status).toBe(403);
    expect((await call(`${server.url}/v1/status`, { token: null })).status).toBe(401);
  });
});
