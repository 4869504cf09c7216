import { UnrecoverableError } from 'bullmq';
import { PLATFORMS } from '../domain/types';
import type { IngestBatchJob } from '../queue/names';
import { SLICE_VALUE_PATTERN } from './event-schema';

/**
 * The aggregation worker's check of job data. The API validated every event already (./event-schema.ts), so this
 * only guards what a malformed job (old producer, manual enqueue) could break: key and field names built from slice
 * values, newline-joined user ids, and numbers the fold adds up. It checks in place instead of re-parsing into new
 * objects: the full schema cost the worker a copy of every batch. Garbage fails the job for good (UnrecoverableError),
 * so it lands in the failed set with its reason instead of being retried or poisoning the counters.
 */
type Check = (value: unknown) => string | undefined;

const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;
// eslint-disable-next-line no-control-regex -- control characters would split a user id in the fold script
const CONTROL = /[\x00-\x1f\x7f]/;

const count: Check = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'expected a non-negative integer');
const sliceValue: Check = (v) => (typeof v === 'string' && SLICE_VALUE_PATTERN.test(v) ? undefined : 'expected a slice value');
const userId: Check = (v) =>
  typeof v === 'string' && v.length > 0 && v.length <= 256 && !CONTROL.test(v) ? undefined : 'expected a user id';
const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    values.includes(v as string) ? undefined : `expected one of ${values.join('|')}`;
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined ? undefined : check(v);
const countsByCode: Check = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'expected an object';
  for (const [code, n] of Object.entries(v)) {
    const problem = sliceValue(code) ?? count(n);
    if (problem) return `${code}: ${problem}`;
  }
  return undefined;
};

const slices = { appVersion: sliceValue, platform: oneOf(PLATFORMS), osVersion: optional(sliceValue), region: optional(sliceValue) };
const SHAPES: Record<string, Record<string, Check>> = {
  login: { ts: count, outcome: oneOf(['success', 'failure']), errorCode: optional(sliceValue), userId: optional(userId), ...slices },
  login_aggregate: {
    minute: count,
    attempts: count,
    failures: count,
    users: optional(count),
    failedUsers: optional(count),
    failuresByErrorCode: optional(countsByCode),
    ...slices,
  },
};

const JOB: Record<string, Check> = {
  app: (v) => (typeof v === 'string' && APP_ID.test(v) ? undefined : 'expected an app id'),
  receivedAt: count,
  events: (v) => (Array.isArray(v) ? undefined : 'expected an array'),
};

function problemIn(value: Record<string, unknown>, shape: Record<string, Check>): string | undefined {
  for (const name in shape) {
    const problem = shape[name]!(value[name]);
    if (problem) return `${name}: ${problem}`;
  }
  return undefined;
}

function eventProblem(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return 'expected an event';
  const record = event as Record<string, unknown>;
  const shape = typeof record.type === 'string' ? SHAPES[record.type] : undefined;
  return shape ? problemIn(record, shape) : 'type: expected one of login|login_aggregate';
}

/** The job's data, or an UnrecoverableError naming the first bad field (`events.3.appVersion: …`). */
export function checkJob(data: unknown): IngestBatchJob {
  const fail = (problem: string) => new UnrecoverableError(`invalid ingest-batch job: ${problem}`);
  if (typeof data !== 'object' || data === null) throw fail('(root): expected an object');
  const job = data as Record<string, unknown>;
  const problem = problemIn(job, JOB);
  if (problem) throw fail(problem);
  const events = job.events as unknown[];
  for (let i = 0; i < events.length; i++) {
    const bad = eventProblem(events[i]);
    if (bad) throw fail(`events.${i}.${bad}`);
  }
  return data as IngestBatchJob;
}
