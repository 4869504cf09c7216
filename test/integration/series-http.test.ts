import { eventually, startTestService, type TestService } from '../support/service';

describe('GET /v1/apps/:id/series', () => {
  let service: TestService;
  let app: { id: string; ingestKey: string };
  // Aligned to two minutes, so that the step=120 bucket holds both minutes written below.
  const minute = Math.floor(Date.now() / 120_000) * 120_000 - 120_000;

  type Point = { at: string; attempts: number; failures: number; errorRate: number; users: number };
  type Series = { step: number; points: Point[]; groups?: Record<string, Array<Partial<Point>>> };
  const series = async (query: string, token?: string) => {
    const res = await service.api(`/v1/apps/${app.id}/series?${query}`, token ? { token } : {});
    return { status: res.status, body: (await res.json()) as Series & { error?: { code: string } } };
  };

  beforeAll(async () => {
    service = await startTestService('series-http');
    app = (await (await service.api('/v1/apps', { method: 'POST', json: { name: 'shop' } })).json()) as typeof app;
    const event = (i: number, over: Record<string, unknown>) => ({
      type: 'login', ts: minute + 1_000 + i, outcome: 'success', appVersion: '5.1.0', platform: 'ios', userId: `u${i}`, ...over,
    });
    const events = [
      ...Array.from({ length: 6 }, (_, i) => event(i, {})),
      ...Array.from({ length: 4 }, (_, i) => event(10 + i, { appVersion: '5.2.0', outcome: 'failure', errorCode: 'AUTH_TIMEOUT' })),
      { type: 'login_aggregate', minute: minute + 60_000, attempts: 50, failures: 5, users: 40, appVersion: '5.1.0', platform: 'android' },
    ];
    const res = await service.api('/v1/events', { method: 'POST', token: app.ingestKey, json: { events } });
    expect(await res.json()).toEqual({ accepted: 11, rejected: [] });
    const to = minute + 2 * 60_000;
    await eventually(async () => ((await series(`from=${minute}&to=${to}`)).body.points[1]?.attempts === 50 ? true : undefined));
  });
  afterAll(() => service.cleanup());

  it('when asked by minute, then each point has the counts, error rate and users, times in ISO', async () => {
    const { status, body } = await series(`from=${new Date(minute).toISOString()}&to=${minute + 3 * 60_000}&step=60`);
    expect(status).toBe(200);
    expect(body.step).toBe(60);
    expect(body.points).toEqual([
      { at: new Date(minute).toISOString(), attempts: 10, failures: 4, errorRate: 0.4, users: 10 },
      { at: new Date(minute + 60_000).toISOString(), attempts: 50, failures: 5, errorRate: 0.1, users: 40 },
      { at: new Date(minute + 120_000).toISOString(), attempts: 0, failures: 0, errorRate: 0, users: 0 },
    ]);
    expect(body.groups).toBeUndefined();
  });

  it('when grouped by appVersion, then every version has its own zero-filled series', async () => {
    const { body } = await series(`from=${minute}&to=${minute + 2 * 60_000}&groupBy=appVersion`);
    expect(body.groups).toEqual({
      '5.1.0': [
        { at: new Date(minute).toISOString(), attempts: 6, failures: 0, errorRate: 0, users: 6 },
        { at: new Date(minute + 60_000).toISOString(), attempts: 50, failures: 5, errorRate: 0.1, users: 40 },
      ],
      '5.2.0': [
        { at: new Date(minute).toISOString(), attempts: 4, failures: 4, errorRate: 1, users: 4 },
        { at: new Date(minute + 60_000).toISOString(), attempts: 0, failures: 0, errorRate: 0, users: 0 },
      ],
    });
  });

  it('when grouped by errorCode, then the groups carry failures only', async () => {
    const { body } = await series(`from=${minute}&to=${minute + 120_000}&step=120&groupBy=errorCode`);
    expect(body.points).toEqual([{ at: new Date(minute).toISOString(), attempts: 60, failures: 9, errorRate: 0.15, users: 50 }]);
    expect(body.groups).toEqual({ AUTH_TIMEOUT: [{ at: new Date(minute).toISOString(), failures: 4 }], unknown: [{ at: new Date(minute).toISOString(), failures: 5 }] });
  });

  it('when no range is given, then the last hour is returned by minute, up to the minute in progress', async () => {
    const { points } = (await series('')).body;
    expect(points.length).toBeGreaterThanOrEqual(60);
    expect(points.length).toBeLessThanOrEqual(61);
    expect(Date.now() - Date.parse(points.at(-1)!.at)).toBeLessThan(120_000);
  });

  it.each([
    ['step=90', 'step'],
    ['step=30', 'step'],
    ['step=172800', 'step'],
    ['from=2001-01-01T00:00:00Z&to=2030-01-01T00:00:00Z&step=60', 'step'],
    ['from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z', 'from'],
    ['groupBy=device', 'groupBy'],
    ['from=yesterday', 'from'],
  ])('when the query is %s, then 400 names %s', async (query, field) => {
    const { status, body } = await series(query);
    expect(status).toBe(400);
    expect(JSON.stringify(body.error)).toContain(field);
  });

  it('when the app does not exist, then 404; with an ingest key, 403', async () => {
    const res = await service.api('/v1/apps/nope/series');
    expect(res.status).toBe(404);
    expect((await series('', app.ingestKey)).status).toBe(403);
  });
});
