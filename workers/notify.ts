import { Worker, type WorkerOptions } from 'bullmq';
import type Redis from 'ioredis';
import type { Deliverer } from '../src/alerts/deliver';
import type { Logger } from '../src/logger';
import { QUEUES, type DeliverJob } from '../src/queue/names';

export interface NotifyWorkerDeps {
  /** A `worker` connection (maxRetriesPerRequest: null). */
  connection: Redis;
  prefix: string;
  deliverer: Deliverer;
  logger: Logger;
  /** Lock and stall settings; tests shorten them to recover a killed worker's job quickly. */
  tuning?: Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval'>;
}

/** The `notify` queue's processor: one channel delivery per job (src/alerts/deliver.ts). */
export function createNotifyWorker(deps: NotifyWorkerDeps): Worker<DeliverJob> {
  const worker = new Worker<DeliverJob>(QUEUES.notify, (job, token) => deps.deliverer.process(job, token), {
    connection: deps.connection,
    prefix: deps.prefix,
    // Deliveries wait on other people's servers, not on CPU.
    concurrency: 8,
    ...deps.tuning,
  });
  worker.on('error', (err) => deps.logger.error({ err, queue: QUEUES.notify }, 'notify worker error'));
  return worker;
}
