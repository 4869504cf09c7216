import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { KeyResolver } from '../../src/apps/key-resolver';
import { AppService } from '../../src/apps/service';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createHttpApp } from '../../src/http/app';
import { createAuth } from '../../src/http/auth';
import { eventsRouter } from '../../src/http/routes/events';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { createRedis, waitForRedis } from '../../src/queue/connection';
import { createQueues } from '../../src/queue/queues';
import { openStores, type Stores } from '../../src/store';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from '../support/redis';
import { makeTempDir } from '../support/tmp';

describe('the per-key rate limit of POST /v1/events', () => {
  const prefix = testPrefix('ingest-rate');
  const tmp = makeTempDir('ingest-rate');
  const config = loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, DATA_DIR: tmp.dir });
  const logger = createLogger('silent');
  const producer = createRedis(config, logger, 'producer', 'test');
  const queues = createQueues(producer, prefix, logger);
  let stores: Stores;
  let server: Server;
  let url: string;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    // As at start-up: until the connection is ready the limiter answers 503 (rejectIfRedisNotReady).
    await waitForRedis(producer, TEST_REDIS_URL);
    stores = await openStores(config, logger);
    const keys = new KeyResolver(stores.apps, systemClock);
    const apps = new AppService(stores.apps, systemClock, keys);
    keyA = (await apps.create('a')).ingestKey;
    keyB = (await apps.create('b')).ingestKey;
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    const auth = createAuth('admin-token-for-tests-only', keys);
    const router = eventsRouter({ auth, jobs: queues, redis: producer, prefix, clock: systemClock, metrics, ratePerSecond: 3 });
    server = createHttpApp({ logger, metrics, routers: [router] }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await queues.close();
    producer.disconnect();
    await stores.close();
    await deletePrefix(prefix);
    tmp.remove();
  });

  const post = (key: string) =>
    fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"events": []}' });

  it('when a key sends more than its rate, then the excess gets 429 with Retry-After, and other keys are not affected', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => post(keyA)));
    const accepted = answers.filter((r) => r.status === 202).length;
    // Fixed one-second windows: a burst spread over a slow second or two may get a few windows' worth.
    expect(accepted).toBeGreaterThanOrEqual(3);
    expect(accepted).toBeLessThanOrEqual(12);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(30 - accepted);
    const limited = answers.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await post(keyB)).status).toBe(202);
  });
});
