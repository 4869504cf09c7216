import { UnrecoverableError } from 'bullmq';
import { deltaProblem } from '../counters/delta';
import type { IngestBatchJob } from '../queue/names';

/**
 * The aggregation worker's check of job data. The API validated every event and folded the batch already; this only
 * guards what a malformed job (old producer, manual enqueue) could break: the key built from the app id, and the
 * delta's field names, user ids and numbers (checked by the counters, which own that format). It checks in place
 * instead of re-parsing into new objects. Garbage fails the job for good (UnrecoverableError), so it lands in the
 * failed set with its reason instead of being retried or poisoning the counters.
 */
const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;

function problemOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return '(root): expected an object';
  const job = data as Record<string, unknown>;
  if (typeof job.app !== 'string' || !APP_ID.test(job.app)) return 'app: expected an app id';
  if (!Number.isSafeInteger(job.receivedAt) || (job.receivedAt as number) < 0) return 'receivedAt: expected a non-negative integer';
  const problem = deltaProblem(job.delta);
  return problem === undefined ? undefined : `delta.${problem}`;
}

/** The job's data, or an UnrecoverableError naming the first bad field (`delta.minutes.3.fields.a|v|x y: …`). */
export function checkJob(data: unknown): IngestBatchJob {
  const problem = problemOf(data);
  if (problem !== undefined) throw new UnrecoverableError(`invalid ingest-batch job: ${problem}`);
  return data as IngestBatchJob;
}
