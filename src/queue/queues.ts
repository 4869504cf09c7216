import { Queue, type Job, type JobsOptions } from 'bullmq';
import { queuePrefix, type RedisClient } from './connection';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { JOB_QUEUE, QUEUES, type JobName, type JobPayloads, type QueueData, type QueueName } from './names';

/** Puts a job on the queue that JOB_QUEUE names for it: the one way jobs are added. */
export interface Enqueuer {
  enqueue<N extends JobName>(name: N, data: JobPayloads[N], opts?: JobsOptions): Promise<Job<JobPayloads[N]>>;
}

type AddOnly<T> = { add(name: string, data: T, opts?: JobsOptions): Promise<Job<T>> };

/** The queues by name, for what is not adding a job (counts, schedulers, removals, tests' inspection). */
export type Queues = { [Q in QueueName]: Queue<QueueData<Q>> } & Enqueuer & { close(): Promise<void> };

/** Bounded retention everywhere: completed jobs are only kept long enough to debug, failed ones for a week. */
export const RETENTION: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

export function createQueues(connection: RedisClient, prefix: string, logger: Logger): Queues {
  const make = <Q extends QueueName>(name: Q, defaults: JobsOptions) => {
    const queue = new Queue<QueueData<Q>>(name, {
      connection,
      prefix: queuePrefix(connection, prefix, name),
      // HTTP producers must fail fast when Redis is away rather than wait for it to come back.
      skipWaitingForReady: true,
      defaultJobOptions: { ...RETENTION, ...defaults },
    });
    queue.on('error', (err) => logger.warn({ err, queue: name }, 'queue error'));
    return queue;
  };
  const queues: { [Q in QueueName]: Queue<QueueData<Q>> } = {
    ingest: make(QUEUES.ingest, { attempts: 10, backoff: { type: 'exponential', delay: 500 } }),
    detect: make(QUEUES.detect, { attempts: 1 }),
    notify: make(QUEUES.notify, { attempts: 12, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } }),
    escalate: make(QUEUES.escalate, { attempts: 5, backoff: { type: 'exponential', delay: 1000 } }),
  };
  return {
    ...queues,
    enqueue: <N extends JobName>(name: N, data: JobPayloads[N], opts?: JobsOptions) =>
      // JOB_QUEUE[name] is the queue whose QueueData includes JobPayloads[N]; TypeScript cannot follow the lookup.
      (queues[JOB_QUEUE[name]] as unknown as AddOnly<JobPayloads[N]>).add(name, data, opts),
    close: async () => {
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}

/** Queue depth for /metrics, read at scrape time. */
export function watchQueueDepth(queues: Queues, metrics: Metrics): void {
  const all = [queues.ingest, queues.detect, queues.notify, queues.escalate];
  metrics.watchQueues(async () => {
    const counts = await Promise.all(all.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'failed')));
    return counts.flatMap((c, i) => Object.entries(c).map(([state, count]) => ({ queue: all[i]!.name, state, count })));
  });
}

/**
 * How long the oldest waiting job of a queue has waited, in ms (0 when none waits). A job's timestamp is BullMQ's wall
 * clock, so the age is measured on the wall clock too.
 */
export async function oldestWaitingMs(queue: Pick<Queue, 'getJobs'>): Promise<number> {
  const [oldest] = await queue.getJobs(['waiting'], 0, 0, true);
  return oldest ? Math.max(0, Date.now() - oldest.timestamp) : 0;
}
