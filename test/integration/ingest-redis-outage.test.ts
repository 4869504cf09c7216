import Redis from 'ioredis';
import { RedisCounters } from '../../src/counters/redis';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';
import { eventually, startTestService, type TestService } from '../support/service';

/**
 * Redis is killed (SIGKILL) and restarted on the same port and data directory while a client keeps sending. The
 * client behaves like the SDK: it retries a refused batch with the same Idempotency-Key until it gets 202.
 */
describe('ingest while Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  let service: TestService;
  let ingestKey: string;
  let appId: string;

  beforeAll(async () => {
    redis = await startPrivateRedis('outage');
    service = await startTestService('ingest-outage', { env: { REDIS_URL: redis.url } });
    ({ id: appId, ingestKey } = (await (await service.api('/v1/apps', { method: 'POST', json: { name: 'shop' } })).json()) as {
      id: string;
      ingestKey: string;
    });
  });
  afterAll(async () => {
    await redis.start().catch(() => undefined);
    await service.stop();
    await redis.remove();
  });

  const send = (batch: number) =>
    fetch(`${service.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json', 'idempotency-key': `batch-${batch}` },
      body: JSON.stringify({
        events: Array.from({ length: 10 }, (_, i) => ({
          type: 'login',
          ts: Date.now(),
          outcome: i % 3 ? 'success' : 'failure',
          appVersion: '5.2.0',
          platform: 'ios',
          userId: `u-${batch}-${i}`,
        })),
      }),
    });

  it('when Redis is down, then ingest and series answer 503 + Retry-After at once; afterwards every acknowledged batch is counted once', async () => {
    const refusals: Array<{ ms: number; retryAfter: string | null }> = [];
    let acknowledged = 0;
    let stopped = false;
    const client = (async () => {
      for (let batch = 0; !stopped || batch < 40; batch++) {
        for (;;) {
          const started = performance.now();
          const res = await send(batch);
          if (res.status === 202) break;
          expect(res.status).toBe(503);
          refusals.push({ ms: performance.now() - started, retryAfter: res.headers.get('retry-after') });
          await new Promise((r) => setTimeout(r, 100));
        }
        acknowledged += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    await eventually(async () => (acknowledged >= 10 ? true : undefined));
    await redis.kill();
    await eventually(async () => (refusals.length >= 5 ? true : undefined));
    // Reading the counters for a chart is refused the same way, not with a 500.
    const series = await service.api(`/v1/apps/${appId}/series`);
    expect(series.status).toBe(503);
    expect(Number(series.headers.get('retry-after'))).toBeGreaterThan(0);
    await redis.start();
    stopped = true;
    await client;

    expect(refusals.every((r) => r.retryAfter !== null && Number(r.retryAfter) > 0)).toBe(true);
    expect(Math.max(...refusals.map((r) => r.ms))).toBeLessThan(1_000);

    const reader = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const counters = new RedisCounters(reader, service.prefix);
      const counted = async () => {
        const now = Date.now();
        const buckets = await counters.buckets(appId, now - 3_600_000, now + 60_000, 60_000);
        return buckets.reduce((n, b) => n + b.total.attempts, 0);
      };
      await eventually(async () => ((await counted()) >= acknowledged * 10 ? true : undefined), 60_000);
      // Give a duplicate, if one slipped through, the time to show up.
      await new Promise((r) => setTimeout(r, 500));
      expect(await counted()).toBe(acknowledged * 10);
    } finally {
      reader.disconnect();
    }
  }, 90_000);
});
