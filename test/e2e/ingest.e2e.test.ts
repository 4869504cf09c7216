import { eventually, startTestService, type TestService } from '../support/service';

interface SeriesPoint {
  at: string;
  attempts: number;
  failures: number;
  errorRate: number;
}

describe('telemetry, end to end', () => {
  let service: TestService;
  let app: { id: string; ingestKey: string };

  beforeAll(async () => {
    service = await startTestService('e2e-ingest');
    const res = await service.api('/v1/apps', { method: 'POST', json: { name: 'shop-ios' } });
    expect(res.status).toBe(201);
    app = (await res.json()) as typeof app;
  });
  afterAll(() => service.cleanup());

  it('when a batch is posted, then /series and /metrics show the logins the detector will see', async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
    const ts = new Date(minute + 5_000).toISOString();
    const events = [
      ...Array.from({ length: 7 }, (_, i) => ({ type: 'login', ts, outcome: 'success', appVersion: '5.1.0', platform: 'ios', userId: `u${i}` })),
      ...Array.from({ length: 3 }, (_, i) => ({ type: 'login', ts, outcome: 'failure', errorCode: 'AUTH_TIMEOUT', appVersion: '5.2.0', platform: 'android', userId: `f${i}` })),
      { type: 'login_aggregate', minute: new Date(minute).toISOString(), attempts: 20, failures: 2, users: 18, failedUsers: 2, appVersion: '5.1.0', platform: 'ios' },
      { type: 'login', ts, outcome: 'success', appVersion: '5.1.0', platform: 'web' },
    ];
    const posted = await service.api('/v1/events', { method: 'POST', token: app.ingestKey, json: { events } });
    expect(posted.status).toBe(202);
    expect(await posted.json()).toEqual({ accepted: 11, rejected: [{ index: 11, error: expect.stringContaining('platform') }] });

    const from = new Date(minute).toISOString();
    const to = new Date(minute + 60_000).toISOString();
    const series = await eventually(async () => {
      const res = await service.api(`/v1/apps/${app.id}/series?from=${from}&to=${to}&step=60&groupBy=appVersion`);
      const body = (await res.json()) as { points: SeriesPoint[]; groups: Record<string, SeriesPoint[]> };
      return body.points[0]?.attempts === 30 ? body : undefined;
    });
    expect(series.points).toEqual([expect.objectContaining({ at: from, attempts: 30, failures: 5, errorRate: 5 / 30 })]);
    expect(series.groups['5.2.0']).toEqual([expect.objectContaining({ attempts: 3, failures: 3, errorRate: 1 })]);
    expect(series.groups['5.1.0']).toEqual([expect.objectContaining({ attempts: 27, failures: 2 })]);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('vigil_ingest_events_total{result="accepted"} 11');
    expect(metrics).toContain('vigil_ingest_events_total{result="rejected"} 1');
    expect(metrics).toContain(`vigil_login_attempts_total{app="${app.id}",platform="ios"} 27`);
    expect(metrics).toContain(`vigil_login_failures_total{app="${app.id}",platform="android"} 3`);
    expect(metrics).toMatch(/vigil_queue_jobs\{queue="ingest",state="waiting"\} 0/);
  });

  it('when Redis and the store answer, then /readyz says ready and /healthz alive', async () => {
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', redis: 'ok', store: 'embedded: ok' });
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  });

  it('when an ingest key calls an operator route, then 403; without a token, 401', async () => {
    expect((await service.api('/v1/apps', { token: app.ingestKey })).status).toBe(403);
    const anonymous = await service.api('/v1/apps', { token: null });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      error: { code: 'unauthorized', message: expect.any(String), details: [{ field: 'Authorization', message: expect.any(String) }] },
    });
  });
});
