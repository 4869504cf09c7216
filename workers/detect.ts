import { Worker } from 'bullmq';
import type Redis from 'ioredis';
import type { LiveDetector } from '../src/detection/live';
import type { Logger } from '../src/logger';
import { QUEUES, type DetectAppJob } from '../src/queue/names';

/**
 * The detect processor: one tick of one app's job scheduler. Evaluations are mostly waiting on Redis and the store,
 * so one process runs several apps at once; the per-app lock in LiveDetector keeps each app to one at a time.
 */
export function createDetectWorker(deps: {
  connection: Redis;
  prefix: string;
  live: Pick<LiveDetector<unknown>, 'run'>;
  logger: Logger;
  concurrency?: number;
}): Worker<DetectAppJob> {
  const worker = new Worker<DetectAppJob>(
    QUEUES.detect,
    async (job) => {
      await deps.live.run(job.data.app);
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 4 },
  );
  worker.on('error', (err) => deps.logger.warn({ err, queue: QUEUES.detect }, 'detect worker error'));
  return worker;
}
