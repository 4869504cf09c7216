import { aggregate, iso, MIN, minuteOf } from '../support/login-traffic';
import { runVigil } from '../support/cli';
import { eventually, startTestService, type TestService } from '../support/service';

/**
 * The release health gate over HTTP and through `vigil gate`, on the real service (Redis counters, embedded store).
 * One app, the last 30 minutes: 5.1.0 is most traffic and fails 1.5%; 5.2.0 (a staged rollout, 8 logins a minute)
 * fails a quarter; 5.2.1 is healthy at 60 a minute; 5.3.0 has one clean login a minute, too few to say.
 * (Each version is on one platform: the counters keep one-dimensional slices.)
 */
describe('release health: GET /v1/apps/:id/releases/:appVersion/health and vigil gate', () => {
  let service: TestService;
  let app: { id: string; ingestKey: string };
  let other: { id: string; ingestKey: string };

  type Health = {
    verdict: string;
    appVersion: string;
    baselineVersions: string[];
    failureRate: number | null;
    baselineFailureRate: number | null;
    attempts: number;
    users: number;
    evidence: string;
    error?: { code: string; message: string };
  };
  const health = async (version: string, query = '', token?: string | null) => {
    const res = await service.api(`/v1/apps/${app.id}/releases/${version}/health${query}`, token === undefined ? {} : { token });
    return { status: res.status, body: (await res.json()) as Health };
  };

  beforeAll(async () => {
    service = await startTestService('release-health');
    const create = async (name: string) => (await (await service.api('/v1/apps', { method: 'POST', json: { name } })).json()) as typeof app;
    app = await create('shop');
    other = await create('other');
    const now = minuteOf(Date.now());
    const events: unknown[] = [];
    for (let k = 30; k >= 1; k--) {
      const m = now - k * MIN;
      events.push(
        aggregate(m, '5.1.0', 'ios', 300, k % 2 === 0 ? 5 : 4),
        aggregate(m, '5.1.0', 'android', 300, k % 2 === 0 ? 4 : 5),
        aggregate(m, '5.2.1', 'android', 60, k % 3 === 0 ? 1 : 0),
        { ...aggregate(m, '5.3.0', 'android', 1, 0), users: 1 },
      );
      // The bad version's rollout started 15 minutes ago.
      if (k <= 15) events.push(aggregate(m, '5.2.0', 'android', 8, k % 4 === 0 ? 1 : 2, 'SESSION_TOKEN_INVALID'));
    }
    const sent = await service.api('/v1/events', { method: 'POST', token: app.ingestKey, json: { events } });
    expect(sent.status).toBe(202);
    for (const [appVersion, ago] of [['5.2.0', 15], ['5.2.1', 30]] as const) {
      const res = await service.api('/v1/releases', {
        method: 'POST',
        token: app.ingestKey,
        json: { appVersion, platform: 'android', releasedAt: iso(now - ago * MIN) },
      });
      expect(res.status).toBe(201);
    }
    // The counters fill as the aggregate worker takes the batch.
    await eventually(async () => ((await health('5.2.1')).body.attempts === 30 * 60 ? true : undefined), 60_000);
  }, 120_000);
  afterAll(() => service.cleanup());

  describe('over HTTP', () => {
    it('when a version fails like the others over enough logins, then it is healthy, judged since its release', async () => {
      const { status, body } = await health('5.2.1');
      expect(status).toBe(200);
      expect(body).toMatchObject({ verdict: 'healthy', appVersion: '5.2.1', attempts: 1800 });
      expect(body.baselineVersions[0]).toBe('5.1.0');
      expect(body.failureRate).toBeCloseTo(10 / 1800, 5);
      expect(body.baselineFailureRate).toBeLessThan(0.03);
      expect(body.users).toBe(30 * 55);
      expect(body.evidence).toMatch(/^5\.2\.1: 10 of 1,800 logins failed/);
    });

    it('when a staged rollout fails a quarter of its logins, then it is unhealthy', async () => {
      const { status, body } = await health('5.2.0');
      expect(status).toBe(200);
      expect(body).toMatchObject({ verdict: 'unhealthy', appVersion: '5.2.0', attempts: 120 });
      expect(body.failureRate).toBeGreaterThan(0.2);
    });

    it('when a version has too few logins to tell, then it is insufficient data', async () => {
      const { status, body } = await health('5.3.0');
      expect(status).toBe(200);
      expect(body).toMatchObject({ verdict: 'insufficient_data', attempts: 30, failureRate: 0 });
    });

    it('when the baseline is named, then only those versions are compared with', async () => {
      const { body } = await health('5.2.1', '?baseline=5.1.0&platform=android');
      expect(body).toMatchObject({ verdict: 'healthy', baselineVersions: ['5.1.0'] });
    });

    it("when the app's own ingest key asks, then it is answered; another app's key is refused", async () => {
      expect((await health('5.2.1', '', app.ingestKey)).status).toBe(200);
      const refused = await health('5.2.1', '', other.ingestKey);
      expect(refused.status).toBe(403);
      expect(refused.body.error?.code).toBe('forbidden');
    });

    it('when no token or a wrong one is sent, then it is 401', async () => {
      expect((await health('5.2.1', '', null)).status).toBe(401);
      expect((await health('5.2.1', '', 'not-a-token')).status).toBe(401);
    });

    it('when the app or the version is unknown, then it is 404', async () => {
      const unknownApp = await service.api('/v1/apps/app_nope/releases/5.2.1/health');
      expect(unknownApp.status).toBe(404);
      const unknownVersion = await health('9.9.9');
      expect(unknownVersion.status).toBe(404);
      expect(unknownVersion.body.error?.message).toMatch(/9\.9\.9/);
    });

    it.each([
      ['?platform=windows', 'platform'],
      [`?baseline=${Array.from({ length: 21 }, (_, i) => `1.${i}`).join(',')}`, 'baseline'],
      ['?baseline=,', 'baseline'],
    ])('when the query is %s, then it is 400 naming %s', async (query, field) => {
      const { status, body } = await health('5.2.1', query);
      expect(status).toBe(400);
      expect(body.error?.message).toContain(field);
    });
  });

  describe('vigil gate', () => {
    const gate = (version: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
      runVigil(['gate', '--app', app.id, '--version', version, ...extra], { env: { VIGIL_URL: service.url, VIGIL_TOKEN: app.ingestKey, ...env } });

    it('when the release is healthy, then it exits 0 and prints the answer as one JSON line', async () => {
      const run = await gate('5.2.1', ['--platform', 'android']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'healthy', appVersion: '5.2.1' });
      expect(run.stderr).toMatch(/^healthy: 5\.2\.1: /);
    });

    it('when the release is unhealthy, then it exits 1', async () => {
      const run = await gate('5.2.0', ['--url', service.url, '--token', service.adminToken]);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'unhealthy' });
    });

    it('when there is not enough data yet, then it exits 3', async () => {
      expect((await gate('5.3.0')).code).toBe(3);
    });

    it('when Vigil cannot be reached, the token is missing or wrong, or the version unknown, then it exits 2 and says why', async () => {
      const unreachable = await gate('5.2.1', [], { VIGIL_URL: 'http://127.0.0.1:9' });
      expect(unreachable.code).toBe(2);
      expect(unreachable.stderr).toMatch(/could not reach http:\/\/127\.0\.0\.1:9/);
      const noToken = await gate('5.2.1', [], { VIGIL_TOKEN: '' });
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toMatch(/no token/);
      expect((await gate('5.2.1', ['--token', 'wrong'])).code).toBe(2);
      const unknown = await gate('9.9.9');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/404/);
    });

    it('when a flag is missing or bad, then it is a usage error (2); --help answers 0', async () => {
      expect((await runVigil(['gate', '--version', '5.2.1'])).code).toBe(2);
      expect((await gate('5.2.1', ['--platform', 'windows'])).code).toBe(2);
      expect((await gate('5.2.1', ['--url', 'ftp://x'])).code).toBe(2);
      const help = await runVigil(['gate', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/3 {2}insufficient data/);
    });
  });
});
