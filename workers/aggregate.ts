import { Worker } from 'bullmq';
import type Redis from 'ioredis';
import type { Clock } from '../src/clock';
import type { SliceValueLimits } from '../src/config';
import { RedisCounterWriter } from '../src/counters/writer';
import { Aggregator } from '../src/ingest/aggregate';
import type { Logger } from '../src/logger';
import type { Metrics } from '../src/metrics';
import { QUEUES, type IngestBatchJob } from '../src/queue/names';

export interface AggregateWorkerDeps {
  /** A "worker" role connection (maxRetriesPerRequest: null); BullMQ duplicates it for its blocking reads. */
  connection: Redis;
  prefix: string;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  limits: SliceValueLimits;
  /** Jobs folded at once: overlaps the Redis round trips of several batches. */
  concurrency?: number;
}

/** The `ingest` queue's worker: each batch is folded into the counters by an Aggregator. */
export function createAggregateWorker(deps: AggregateWorkerDeps): Worker<IngestBatchJob> {
  const aggregator = new Aggregator({
    counters: new RedisCounterWriter({ redis: deps.connection, prefix: deps.prefix, metrics: deps.metrics, logger: deps.logger, limits: deps.limits }),
    clock: deps.clock,
    metrics: deps.metrics,
  });
  const worker = new Worker<IngestBatchJob>(
    QUEUES.ingest,
    async (job) => {
      await aggregator.process(job.id!, job.data);
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 8 },
  );
  worker.on('error', (err) => deps.logger.warn({ err, queue: QUEUES.ingest }, 'aggregate worker error'));
  worker.on('failed', (job, err) =>
    deps.logger.warn({ err, jobId: job?.id, app: job?.data?.app, attempts: job?.attemptsMade }, 'ingest batch failed (retried unless attempts are exhausted or the data is invalid)'),
  );
  return worker;
}
