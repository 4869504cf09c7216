import Redis from 'ioredis';
import { RedisCounters } from '../../src/counters/redis';
import { tenLogins } from '../support/login-traffic';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';
import { eventually, startTestService, type TestService } from '../support/service';

/**
 * Redis goes away while a client keeps sending: killed (SIGKILL) and restarted on the same port and data directory,
 * or frozen (SIGSTOP) and thawed. The client behaves like the SDK: it retries a refused batch with the same
 * Idempotency-Key until it gets 202.
 */
describe('ingest while Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  let service: TestService;

  beforeAll(async () => {
    redis = await startPrivateRedis('outage');
    service = await startTestService('ingest-outage', { env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    redis.thaw();
    await redis.start().catch(() => undefined);
    await service.stop();
    await redis.remove();
  });

  /** A new app (its own counters), and an SDK-like client sending 10-login batches to it until stopped. */
  async function sdkClient(name: string) {
    const created = await service.api('/v1/apps', { method: 'POST', json: { name } });
    const { id: appId, ingestKey } = (await created.json()) as { id: string; ingestKey: string };
    const send = (batch: number) =>
      fetch(`${service.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json', 'idempotency-key': `batch-${batch}` },
        // A hanging answer fails the client (and the test) instead of keeping it waiting for ever.
        signal: AbortSignal.timeout(5_000),
        body: JSON.stringify({ events: tenLogins(batch) }),
      });
    const state = { appId, acknowledged: 0, refusals: [] as Array<{ ms: number; retryAfter: string | null }> };
    let stopped = false;
    const running = (async () => {
      for (let batch = 0; !stopped || batch < 40; batch++) {
        for (;;) {
          const started = performance.now();
          const res = await send(batch);
          if (res.status === 202) break;
          expect(res.status).toBe(503);
          state.refusals.push({ ms: performance.now() - started, retryAfter: res.headers.get('retry-after') });
          await new Promise((r) => setTimeout(r, 100));
        }
        state.acknowledged += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    return Object.assign(state, {
      /** Lets the client finish its current batch (and at least 40 in all), then checks every refusal was prompt. */
      async finish() {
        stopped = true;
        await running;
        expect(state.refusals.every((r) => r.retryAfter !== null && Number(r.retryAfter) > 0)).toBe(true);
        expect(Math.max(...state.refusals.map((r) => r.ms))).toBeLessThan(1_000);
      },
    });
  }

  /** Every acknowledged batch's 10 logins are in the counters, and none twice. */
  async function expectCountedOnce(appId: string, acknowledged: number) {
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
  }

  it('when Redis is down, then ingest and series answer 503 + Retry-After at once; afterwards every acknowledged batch is counted once', async () => {
    const client = await sdkClient('shop-killed');
    await eventually(async () => (client.acknowledged >= 10 ? true : undefined));
    await redis.kill();
    await eventually(async () => (client.refusals.length >= 5 ? true : undefined));
    // Reading the counters for a chart is refused the same way, not with a 500.
    const series = await service.api(`/v1/apps/${client.appId}/series`);
    expect(series.status).toBe(503);
    expect(Number(series.headers.get('retry-after'))).toBeGreaterThan(0);
    await redis.start();
    await client.finish();
    await expectCountedOnce(client.appId, client.acknowledged);
  }, 90_000);

  it('when Redis freezes (SIGSTOP), then ingest and /readyz answer 503 within a second; after SIGCONT every acknowledged batch is counted once', async () => {
    const client = await sdkClient('shop-frozen');
    await eventually(async () => (client.acknowledged >= 10 ? true : undefined));
    redis.freeze();
    try {
      // The socket stays open and the commands are written: only the producer's command timeout can notice.
      await eventually(async () => (client.refusals.length >= 5 ? true : undefined));
      const started = performance.now();
      const ready = await fetch(`${service.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      redis.thaw();
    }
    await client.finish();
    // Batches that timed out were still queued once Redis woke up: their retries were deduplicated by the key.
    await expectCountedOnce(client.appId, client.acknowledged);
  }, 90_000);
});
