import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import { queuePrefix, type RedisClient } from './connection';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { QueueData, QueueName } from './names';

export interface ProcessorDeps {
  /** A `worker` connection (maxRetriesPerRequest: null); BullMQ duplicates it for its blocking reads. */
  connection: RedisClient;
  prefix: string;
  logger: Logger;
  metrics: Metrics;
}

/** What a worker may tune: how many jobs at once; lock and stall settings (tests shorten them). */
export type ProcessorTuning = Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval'>;

/** A queue's processor: the payloads it receives are those JOB_QUEUE routes to its queue. */
export type Process<Q extends QueueName> = (job: Job<QueueData<Q>>, token?: string) => Promise<unknown>;

/**
 * The one way a BullMQ Worker is built, so every queue's worker behaves alike: the same failure logging (an attempt
 * that will be retried is a warning, the last one or an unrecoverable one an error), the same metrics (jobs by queue
 * and outcome, processing time), the same worker-error reporting. Graceful shutdown is `worker.close()`, which
 * waits for active jobs: the entry point calls it on SIGTERM for every worker it built here.
 */
export function createProcessor<Q extends QueueName>(queue: Q, process: Process<Q>, deps: ProcessorDeps, tuning: ProcessorTuning = {}): Worker<QueueData<Q>> {
  const { logger, metrics } = deps;
  const worker = new Worker<QueueData<Q>>(
    queue,
    async (job, token) => {
      const end = metrics.jobDuration.startTimer({ queue });
      try {
        return await process(job, token);
      } finally {
        end();
      }
    },
    { connection: deps.connection, prefix: queuePrefix(deps.connection, deps.prefix, queue), ...tuning },
  );
  worker.on('completed', () => metrics.jobs.inc({ queue, outcome: 'completed' }));
  worker.on('failed', (job, err) => {
    const final = !job || err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    metrics.jobs.inc({ queue, outcome: final ? 'failed' : 'retried' });
    const context = { err, queue, jobId: job?.id, jobName: job?.name, attempts: job?.attemptsMade };
    if (final) logger.error(context, 'job failed for good; it stays in the failed set');
    else logger.warn(context, 'job attempt failed; it will be retried');
  });
  // Connection trouble: RedisClient outages are also reported by the connection itself and by /readyz.
  worker.on('error', (err) => logger.warn({ err, queue }, 'worker error'));
  return worker;
}
