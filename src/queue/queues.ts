import { Queue, type JobsOptions } from 'bullmq';
import type Redis from 'ioredis';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { QUEUES, type DeliverJob, type DetectAppJob, type EscalateJob, type IngestBatchJob } from './names';

export interface Queues {
  ingest: Queue<IngestBatchJob>;
  detect: Queue<DetectAppJob>;
  notify: Queue<DeliverJob>;
  escalate: Queue<EscalateJob>;
  close(): Promise<void>;
}

/** Bounded retention everywhere: completed jobs are only kept long enough to debug, failed ones for a week. */
export const RETENTION: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

export function createQueues(connection: Redis, prefix: string, logger: Logger): Queues {
  const make = <T>(name: string, defaults: JobsOptions) => {
    const queue = new Queue<T>(name, {
      connection,
      prefix,
      // HTTP producers must fail fast when Redis is away rather than wait for it to come back.
      skipWaitingForReady: true,
      defaultJobOptions: { ...RETENTION, ...defaults },
    });
    queue.on('error', (err) => logger.warn({ err, queue: name }, 'queue error'));
    return queue;
  };
  const queues = {
    ingest: make<IngestBatchJob>(QUEUES.ingest, { attempts: 10, backoff: { type: 'exponential', delay: 500 } }),
    detect: make<DetectAppJob>(QUEUES.detect, { attempts: 1 }),
    notify: make<DeliverJob>(QUEUES.notify, { attempts: 12, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } }),
    escalate: make<EscalateJob>(QUEUES.escalate, { attempts: 5, backoff: { type: 'exponential', delay: 1000 } }),
  };
  return {
    ...queues,
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
