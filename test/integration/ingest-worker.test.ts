import { Queue, type Worker } from 'bullmq';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { foldBatch } from '../../src/counters/delta';
import { RedisCounters } from '../../src/counters/redis';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { QUEUES, type IngestBatchJob } from '../../src/queue/names';
import { createAggregateWorker } from '../../workers/aggregate';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from '../support/redis';
import { eventually } from '../support/service';

describe('the aggregate worker', () => {
  const prefix = testPrefix('ingest-worker');
  const producer = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue<IngestBatchJob>(QUEUES.ingest, { connection: producer, prefix });
  const counters = new RedisCounters(producer, prefix);
  let worker: Worker<IngestBatchJob>;

  beforeAll(() => {
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    worker = createAggregateWorker({ connection, prefix, logger: createLogger('silent'), metrics, clock: systemClock, limits: loadConfig({}).sliceValueLimits, concurrency: 2 });
  });
  afterAll(async () => {
    await worker.close();
    await queue.close();
    await deletePrefix(prefix);
    producer.disconnect();
    connection.disconnect();
  });

  it.each([
    ['the delta has no minutes', { app: 'shop', receivedAt: 1, delta: { minutes: 'nope' } }, 'delta.minutes'],
    ['a slice value could break the key layout', { app: 'shop', receivedAt: 1, delta: { minutes: [{ at: 0, fields: { 'a|v|a|b': 1 }, users: {} }] } }, 'delta.minutes.0.fields.a|v|a|b'],
    ['the app id is not an id', { app: 'x:y}', receivedAt: 1, delta: { minutes: [] } }, 'app'],
  ])('when a job is malformed (%s), then it fails for good with the reason, once, and the worker goes on', async (_name, data, field) => {
    const job = await queue.add('ingest-batch', data as unknown as IngestBatchJob, { attempts: 5 });
    const failed = await eventually(async () => ((await job.isFailed()) ? await queue.getJob(job.id!) : undefined));
    expect(failed.failedReason).toContain(`invalid ingest-batch job: ${field}`);
    expect(failed.attemptsMade).toBe(1);

    const now = Date.now();
    await queue.add('ingest-batch', { app: 'shop', receivedAt: now, delta: foldBatch([{ type: 'login', ts: now, outcome: 'success', appVersion: '1', platform: 'ios' }]) });
    await eventually(async () => {
      const [bucket] = await counters.buckets('shop', now, now + 1, 60_000);
      return bucket!.total.attempts > 0 ? true : undefined;
    });
    await producer.del(...(await producer.keys(`${prefix}:c:*`)));
  });
});
