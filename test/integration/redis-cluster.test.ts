import type Redis from 'ioredis';
import { aggregate, failInRealTime, healthyMinute, iso, MIN, minuteOf } from '../support/login-traffic';
import { startPrivateCluster, type PrivateCluster } from '../support/redis-cluster';
import { eventually, startTestService, type TestService } from '../support/service';

/**
 * Vigil on a real 3-master Redis Cluster (REDIS_CLUSTER_NODES): an API and two workers, as separate services sharing
 * one deployment. Every script and multi-key command must keep to one slot, or the cluster answers CROSSSLOT.
 */
describe('on a Redis Cluster', () => {
  let cluster: PrivateCluster | undefined;
  const services: TestService[] = [];
  let api: TestService;

  beforeAll(async () => {
    cluster = await startPrivateCluster('vigil');
    const env = { REDIS_CLUSTER_NODES: cluster.nodes.join(',') };
    api = await startTestService('redis-cluster', { mode: 'api', env });
    services.push(api);
    for (let i = 0; i < 2; i++) services.push(await startTestService('redis-cluster', { mode: 'worker', shareWith: api, env }));
  }, 60_000);
  afterAll(async () => {
    // Workers first, the API (owner of the data directory) last; the cluster goes even when a start failed.
    for (const service of services.reverse()) await service.cleanup().catch(() => undefined);
    await cluster?.remove();
  });

  const createApp = async (name: string) =>
    (await (await api.api('/v1/apps', { method: 'POST', json: { name } })).json()) as { id: string; ingestKey: string };

  const send = async (ingestKey: string, events: unknown[], idempotencyKey?: string) => {
    const res = await api.api('/v1/events', {
      method: 'POST',
      token: ingestKey,
      json: { events },
      ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
    });
    if (res.status !== 202) throw new Error(`POST /v1/events answered ${res.status}: ${await res.text()}`);
  };

  const attemptsOf = async (appId: string, from: number, to: number) => {
    const res = await api.api(`/v1/apps/${appId}/series?from=${from}&to=${to}`);
    return ((await res.json()) as { points: Array<{ attempts: number }> }).points.reduce((n, p) => n + p.attempts, 0);
  };

  it('when apps send logins and one release breaks, then counts are exact, keys spread over every master, and the incident opens', async () => {
    const now = minuteOf(Date.now());
    const healthy = (from: number, to: number) => {
      const events = [];
      for (let minute = from; minute < to; minute += MIN) events.push(...healthyMinute(minute));
      return events;
    };
    // Twelve apps: their counters spread over the masters by their hash tag.
    const apps = await Promise.all(Array.from({ length: 12 }, (_, i) => createApp(`shop-${i}`)));
    await Promise.all(
      apps.map(async (app, i) => {
        await send(app.ingestKey, healthy(now - 60 * MIN, now - 30 * MIN), `first-${i}`);
        await send(app.ingestKey, healthy(now - 30 * MIN, now - 3 * MIN), `second-${i}`);
        // A retry of the second batch: counted once.
        await send(app.ingestKey, healthy(now - 30 * MIN, now - 3 * MIN), `second-${i}`);
      }),
    );
    // 57 healthy minutes of 200 logins each.
    for (const app of apps) {
      await eventually(async () => ((await attemptsOf(app.id, now - 60 * MIN, now)) >= 57 * 200 ? true : undefined));
    }

    const broken = apps[0]!;
    const release = await api.api('/v1/releases', {
      method: 'POST',
      token: broken.ingestKey,
      json: { appVersion: '5.2.0', platform: 'android', releasedAt: iso(now - 2 * MIN - 30_000) },
    });
    expect(release.status).toBe(201);
    const rollout = (minute: number) => [...healthyMinute(minute), aggregate(minute, '5.2.0', 'android', 150, 135, 'AUTH_TIMEOUT')];
    await send(broken.ingestKey, [...rollout(now - 2 * MIN), ...rollout(now - MIN)]);
    const stopFailing = failInRealTime((events) => send(broken.ingestKey, events));
    let incident: { kind: string; status: string; suspectedCause: { value: string } | null };
    try {
      incident = await eventually(async () => {
        const res = await api.api(`/v1/incidents?app=${broken.id}`);
        // The rollout's two minutes arrive as one backfilled batch: on a loaded machine the detector may look before the
        // worker counted them and see a brief dip in logins. The release's error incident is what this test is about.
        return ((await res.json()) as { incidents: Array<typeof incident> }).incidents.find((i) => i.kind === 'error_rate');
      }, 30_000, 500);
    } finally {
      await stopFailing();
    }
    expect(incident).toMatchObject({ kind: 'error_rate', status: 'open', suspectedCause: { value: '5.2.0' } });

    for (const app of apps.slice(1)) expect(await attemptsOf(app.id, now - 60 * MIN, now)).toBe(57 * 200);
    expect(await attemptsOf(broken.id, now - 60 * MIN, now - 2 * MIN)).toBe(57 * 200);

    const masters: Redis[] = cluster!.connectEach();
    try {
      const keysOn = async (redis: Redis, pattern: string) => (await redis.scan('0', 'MATCH', pattern, 'COUNT', 100_000))[1];
      const all = await Promise.all(masters.map((m) => keysOn(m, `*${api.prefix}*`)));
      expect(all.map((keys) => keys.length > 0)).toEqual(masters.map(() => true));
      const counters = await Promise.all(masters.map((m) => keysOn(m, `${api.prefix}:c:*`)));
      expect(counters.filter((keys) => keys.length > 0).length).toBeGreaterThanOrEqual(2);
      // Each app's detector state was saved with its lock released, in one script: a CROSSSLOT would leave none.
      const states = await Promise.all(masters.map((m) => keysOn(m, `${api.prefix}:detector:*`)));
      expect(states.flat().sort()).toEqual(apps.map((app) => `${api.prefix}:detector:{${app.id}}`).sort());
    } finally {
      for (const m of masters) m.disconnect();
    }
  }, 90_000);
});
