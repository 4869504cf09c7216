import { UnrecoverableError } from 'bullmq';
import { deltaProblem, foldBatch } from '../counters/delta';
import type { TelemetryEvent } from '../domain/types';
import type { IngestBatchJob } from '../queue/names';
import { fastEvent } from './fast-event';

/**
 * The aggregation worker's check of job data. The API validated every event and folded the batch already; this only
 * guards what a malformed job (old producer, manual enqueue) could break: the key built from the app id, and the
 * delta's field names, user ids and numbers (checked by the counters, which own that format). It checks in place
 * instead of re-parsing into new objects. Garbage fails the job for good (UnrecoverableError), so it lands in the
 * failed set with its reason instead of being retried or poisoning the counters.
 */
const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The first problem of the app id and receive time, whatever the payload's form. */
function headProblem(job: Record<string, unknown>): string | undefined {
  if (typeof job.app !== 'string' || !APP_ID.test(job.app)) return 'app: expected an app id';
  if (!Number.isSafeInteger(job.receivedAt) || (job.receivedAt as number) < 0) return 'receivedAt: expected a non-negative integer';
  return undefined;
}

/**
 * A job queued by an API of the previous release, which queued the raw events: folded here, so that a rolling
 * upgrade loses none of them. Each event is checked as the API checked it when it received it. Remove once no such
 * job can be waiting (the release after the one that folds at the edge).
 */
function fromRawEvents(job: Record<string, unknown>, raw: unknown[]): IngestBatchJob | string {
  const events: TelemetryEvent[] = [];
  for (let i = 0; i < raw.length; i++) {
    const event = fastEvent(raw[i], job.receivedAt as number);
    if (event === undefined) return `events.${i}: not an event the API accepts`;
    events.push(event);
  }
  return { app: job.app as string, receivedAt: job.receivedAt as number, delta: foldBatch(events) };
}

/** The job's data, or an UnrecoverableError naming the first bad field (`delta.minutes.3.fields.a|v|x y: …`). */
export function checkJob(data: unknown): IngestBatchJob {
  const fail = (problem: string) => new UnrecoverableError(`invalid ingest-batch job: ${problem}`);
  if (typeof data !== 'object' || data === null) throw fail('(root): expected an object');
  const job = data as Record<string, unknown>;
  const head = headProblem(job);
  if (head !== undefined) throw fail(head);
  if (job.delta === undefined && Array.isArray(job.events)) {
    const folded = fromRawEvents(job, job.events);
    if (typeof folded === 'string') throw fail(folded);
    return folded;
  }
  const problem = deltaProblem(job.delta);
  if (problem !== undefined) throw fail(`delta.${problem}`);
  return data as IngestBatchJob;
}
