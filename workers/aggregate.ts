import type { Worker } from 'bullmq';
import type { Clock } from '../src/clock';
import type { SliceValueLimits } from '../src/config';
import { RedisCounterWriter } from '../src/counters/writer';
import { Aggregator } from '../src/ingest/aggregate';
import { QUEUES, type IngestBatchJob } from '../src/queue/names';
import { createProcessor, type ProcessorDeps } from '../src/queue/processor';

export interface AggregateWorkerDeps extends ProcessorDeps {
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
  return createProcessor(QUEUES.ingest, (job) => aggregator.process(job.id!, job.data), deps, { concurrency: deps.concurrency ?? 8 });
}
