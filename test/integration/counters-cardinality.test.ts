import Redis from 'ioredis';
import { ManualClock } from '../../src/clock';
import { TEST_REDIS_URL } from '../support/redis';
import { eventually, startTestService, type TestService } from '../support/service';

/**
 * Slice values come from app binaries, so anyone can invent them. Counted as they come, 15,000 distinct versions,
 * OS versions and regions grew Redis by ~65,000 keys and series?groupBy answered 77 MB.
 */
describe('distinct slice values per app and hour are bounded', () => {
  const HOUR = Date.parse('2030-01-01T10:00:00Z');
  const now = HOUR + 30 * 60_000;
  const clock = new ManualClock(now);
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  let service: TestService;
  let app: { id: string; ingestKey: string };

  type Point = { at: string; attempts: number; failures: number };
  const series = async (query: string) =>
    (await service.api(`/v1/apps/${app.id}/series?from=${HOUR}&to=${HOUR + 3_600_000}&${query}`)).text();

  beforeAll(async () => {
    service = await startTestService('counters-cardinality', { clock });
    app = (await (await service.api('/v1/apps', { method: 'POST', json: { name: 'shop' } })).json()) as typeof app;
    for (let batch = 0; batch < 15; batch++) {
      const events = Array.from({ length: 1000 }, (_, i) => {
        const n = batch * 1000 + i;
        return {
          type: 'login', ts: now - 10_000, outcome: n % 2 ? 'failure' : 'success', errorCode: `E${n}`,
          appVersion: `1.0.${n}`, platform: 'ios', osVersion: `os${n}`, region: `r${n}`, userId: `user-${n}`,
        };
      });
      const res = await service.api('/v1/events', { method: 'POST', token: app.ingestKey, json: { events } });
      expect(res.status).toBe(202);
    }
    await eventually(async () => {
      const points = (JSON.parse(await series('step=3600')) as { points: Point[] }).points;
      return points[0]?.attempts === 15_000 ? true : undefined;
    }, 60_000);
  }, 120_000);
  afterAll(async () => {
    redis.disconnect();
    await service.cleanup();
  });

  it('when 15,000 distinct values arrive in 15 batches, then the counters keep a bounded number of keys', async () => {
    const keys = await redis.keys(`${service.prefix}:c:*`);
    // ~2 HyperLogLogs per counted value (200 versions, 100 OS versions, 50 regions, 100 codes) and a few buckets.
    expect(keys.length).toBeLessThan(1_000);
  });

  it('when read back, then the totals are exact and the values past the limits are counted as "other"', async () => {
    const { points, groups } = JSON.parse(await series('groupBy=region')) as { points: Point[]; groups: Record<string, Point[]> };
    const sum = (ps: Point[]) => ps.reduce((n, p) => n + p.attempts, 0);
    expect(sum(points)).toBe(15_000);
    expect(points.reduce((n, p) => n + p.failures, 0)).toBe(7_500);
    // The chart shows the busiest values and sums the rest, so nothing is lost from the picture either.
    expect(Object.keys(groups).length).toBeLessThanOrEqual(21);
    expect(Object.values(groups).reduce((n, ps) => n + sum(ps), 0)).toBe(15_000);
    expect(sum(groups.other!)).toBeGreaterThanOrEqual(15_000 - 50);
  });

  it('when grouped by any dimension, then the answer stays small', async () => {
    for (const dimension of ['appVersion', 'osVersion', 'region', 'errorCode']) {
      const body = await series(`groupBy=${dimension}`);
      expect(body.length).toBeLessThan(250_000);
      expect(Object.keys((JSON.parse(body) as { groups: object }).groups).length).toBeLessThanOrEqual(21);
    }
  });

  it('when values are folded, then a metric counts the logins that lost their value', async () => {
    const metrics = await (await service.api('/metrics')).text();
    const folded = (dimension: string) =>
      Number(new RegExp(`vigil_slice_values_folded_total\\{app="${app.id}",dimension="${dimension}"\\} (\\d+)`).exec(metrics)?.[1]);
    expect(folded('appVersion')).toBe(15_000 - 200);
    expect(folded('osVersion')).toBe(15_000 - 100);
    expect(folded('region')).toBe(15_000 - 50);
    expect(folded('errorCode')).toBe(7_500 - 100);
  });
});
