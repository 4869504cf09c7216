import type { Worker } from 'bullmq';
import type { LiveDetector } from '../src/detection/live';
import { QUEUES, type DetectAppJob } from '../src/queue/names';
import { createProcessor, type ProcessorDeps } from '../src/queue/processor';

/**
 * The detect processor: one tick of one app's job scheduler. Evaluations are mostly waiting on Redis and the store,
 * so one process runs several apps at once; the per-app lock in LiveDetector keeps each app to one at a time.
 */
export function createDetectWorker(deps: ProcessorDeps & { live: Pick<LiveDetector<unknown>, 'run'>; concurrency?: number }): Worker<DetectAppJob> {
  return createProcessor(QUEUES.detect, (job) => deps.live.run(job.data.app), deps, { concurrency: deps.concurrency ?? 4 });
}
