import { eventually, startTestService, type TestService } from '../support/service';

describe('scaled out: API and workers as separate processes', () => {
  let api: TestService;
  let workers: TestService[];

  beforeAll(async () => {
    api = await startTestService('e2e-split', { mode: 'api' });
    workers = [
      await startTestService('e2e-split', { mode: 'worker', shareWith: api }),
      await startTestService('e2e-split', { mode: 'worker', shareWith: api }),
    ];
  });
  afterAll(async () => {
    for (const w of workers) await w.cleanup();
    await api.cleanup();
  });

  it('when the API accepts a batch, then a worker process folds it and the API serves it in /series', async () => {
    const app = (await (await api.api('/v1/apps', { method: 'POST', json: { name: 'shop-split' } })).json()) as { id: string; ingestKey: string };
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
    const events = Array.from({ length: 50 }, (_, i) => ({
      type: 'login',
      ts: minute + i * 1000,
      outcome: i % 10 === 0 ? 'failure' : 'success',
      appVersion: '5.1.0',
      platform: i % 2 ? 'ios' : 'android',
    }));
    expect((await api.api('/v1/events', { method: 'POST', token: app.ingestKey, json: { events } })).status).toBe(202);

    const point = await eventually(async () => {
      const res = await api.api(`/v1/apps/${app.id}/series?from=${minute}&to=${minute + 60_000}`);
      const p = ((await res.json()) as { points: Array<{ attempts: number; failures: number }> }).points[0];
      return p?.attempts === 50 ? p : undefined;
    });
    expect(point).toMatchObject({ attempts: 50, failures: 5 });
  });

  it('when a worker runs, then it answers /healthz, /readyz and /metrics on its own port, and no API routes', async () => {
    const worker = workers[0]!;
    expect(worker.url).not.toBe(api.url);
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${worker.url}/metrics`)).text()).toContain('vigil_detector_evaluations_total');
    expect((await worker.api('/v1/apps')).status).toBe(404);
  });
});
