import { request } from 'node:http';
import Redis from 'ioredis';
import { RedisCounters } from '../../src/counters/redis';
import { SAMPLE_EVERY_MS } from '../../src/http/shed';
import { tenLogins } from '../support/login-traffic';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';
import { TEST_REDIS_URL } from '../support/redis';
import { eventually, startTestService, type TestService } from '../support/service';

/** Marks off unless a test turns one on. */
const NO_MARKS = { INGEST_MAX_IN_FLIGHT: '0', INGEST_SHED_BACKLOG: '0', INGEST_SHED_REDIS_MEMORY_PERCENT: '0' };

async function createApp(service: TestService) {
  const res = await service.api('/v1/apps', { method: 'POST', json: { name: `shop-${Math.random().toString(36).slice(2)}` } });
  return (await res.json()) as { id: string; ingestKey: string };
}

const batch = (n: number) => JSON.stringify({ events: tenLogins(n) });

function send(service: TestService, ingestKey: string, body: string, idempotencyKey: string) {
  return fetch(`${service.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body,
  });
}

async function shedCount(service: TestService, reason: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return Number(new RegExp(`^vigil_ingest_shed_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

async function expectRefusedBeforeTheBody(service: TestService, ingestKey: string, reason: string) {
  // Not even JSON: a request that reached validation would be a 400.
  const res = await send(service, ingestKey, '{"events": [nope', 'garbage');
  expect(res.status).toBe(503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
  expect(await shedCount(service, reason)).toBeGreaterThan(0);
}

async function counted(redisUrl: string, prefix: string, appId: string): Promise<number> {
  const reader = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const now = Date.now();
    const buckets = await new RedisCounters(reader, prefix).buckets(appId, now - 3_600_000, now + 60_000, 60_000);
    return buckets.reduce((n, b) => n + b.total.attempts, 0);
  } finally {
    reader.disconnect();
  }
}

describe('ingest sheds load before reading the body', () => {
  it('when the ingest queue backs up past INGEST_SHED_BACKLOG, then 503 + Retry-After; once a worker drains it, batches are taken again and every acknowledged one is counted once', async () => {
    // An API without a worker: every accepted batch stays waiting, as when the workers cannot keep up.
    const api = await startTestService('ingest-shed-backlog', { mode: 'api', env: { ...NO_MARKS, INGEST_SHED_BACKLOG: '3' } });
    let worker: TestService | undefined;
    try {
      const { id: appId, ingestKey } = await createApp(api);
      let acknowledged = 0;
      let n = 0;
      const sendNext = async () => {
        const res = await send(api, ingestKey, batch(n), `b-${n}`);
        if (res.status === 202) {
          acknowledged += 1;
          n += 1;
        }
        return res;
      };
      // Three batches fill the backlog; within one sample interval the next ones are shed.
      await eventually(async () => ((await sendNext()).status === 503 ? true : undefined), 10_000, SAMPLE_EVERY_MS / 5);
      expect(acknowledged).toBeGreaterThanOrEqual(3);
      await expectRefusedBeforeTheBody(api, ingestKey, 'backlog');

      worker = await startTestService('ingest-shed-backlog', { mode: 'worker', shareWith: api });
      await eventually(async () => ((await sendNext()).status === 202 ? true : undefined), 30_000);
      await eventually(async () => ((await counted(TEST_REDIS_URL, api.prefix, appId)) >= acknowledged * 10 ? true : undefined));
      expect(await counted(TEST_REDIS_URL, api.prefix, appId)).toBe(acknowledged * 10);
    } finally {
      await worker?.cleanup();
      await api.cleanup();
    }
  }, 60_000);

  describe('on a Redis of its own', () => {
    let redis: PrivateRedis;
    beforeAll(async () => {
      redis = await startPrivateRedis('shed');
    });
    afterAll(async () => {
      await redis.remove();
    });

    it('when Redis memory passes INGEST_SHED_REDIS_MEMORY_PERCENT of maxmemory, then 503 + Retry-After until it is back under', async () => {
      const service = await startTestService('ingest-shed-memory', {
        env: { ...NO_MARKS, REDIS_URL: redis.url, INGEST_SHED_REDIS_MEMORY_PERCENT: '50' },
      });
      const admin = new Redis(redis.url);
      try {
        const { ingestKey } = await createApp(service);
        expect((await send(service, ingestKey, batch(0), 'm-0')).status).toBe(202);
        // What it holds now is two thirds of a maxmemory of 1.5 times its current use: past the mark, with room left to write.
        const used = Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))![1]);
        await admin.config('SET', 'maxmemory', String(Math.ceil(used * 1.5)));
        await eventually(async () => ((await send(service, ingestKey, batch(1), 'm-1')).status === 503 ? true : undefined), 10_000, 50);
        await expectRefusedBeforeTheBody(service, ingestKey, 'redis_memory');

        await admin.config('SET', 'maxmemory', '0');
        await eventually(async () => ((await send(service, ingestKey, batch(1), 'm-1')).status === 202 ? true : undefined), 10_000, 50);
      } finally {
        await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
        admin.disconnect();
        await service.cleanup();
      }
    }, 60_000);

    it('when INGEST_MAX_IN_FLIGHT requests are being served, then the next one is shed; once one finishes, the next is taken', async () => {
      const service = await startTestService('ingest-shed-in-flight', { env: { ...NO_MARKS, REDIS_URL: redis.url, INGEST_MAX_IN_FLIGHT: '1' } });
      try {
        const { ingestKey } = await createApp(service);
        const body = batch(0);
        // A slow client: the headers and half of the body now, the rest later.
        const slow = request(`${service.url}/v1/events`, {
          method: 'POST',
          agent: false,
          headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        });
        const slowAnswer = new Promise<number>((resolve, reject) => {
          slow.on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          slow.on('error', reject);
        });
        slow.write(body.slice(0, 20));
        await eventually(async () => {
          const metrics = await (await fetch(`${service.url}/metrics`)).text();
          return /^vigil_ingest_in_flight 1$/m.test(metrics) ? true : undefined;
        });

        await expectRefusedBeforeTheBody(service, ingestKey, 'in_flight');
        slow.end(body.slice(20));
        expect(await slowAnswer).toBe(202);
        expect((await send(service, ingestKey, batch(1), 'f-1')).status).toBe(202);
      } finally {
        await service.cleanup();
      }
    }, 60_000);
  });
});
