import { z } from 'zod';
import type { Clock } from '../clock';
import { SLICE_VALUE_PATTERN } from '../counters/keys';
import { PLATFORMS, type TelemetryEvent } from '../domain/types';

import { fastEvent } from './fast-event';
import { MAX_ERROR_CODES_PER_EVENT, MAX_EVENT_AGE_MS, MAX_EVENT_FUTURE_MS } from './limits';

export { MAX_EVENT_AGE_MS, MAX_EVENT_FUTURE_MS, MAX_EVENTS_PER_BATCH } from './limits';

/** Slice values become counter field names and key suffixes: the counters' alphabet (counters/keys.ts). */
export const SliceValue = z
  .string()
  .regex(SLICE_VALUE_PATTERN, '1-64 characters: letters, digits and . _ + : - (starting with a letter or digit)');

/** Opaque; control characters are refused because the aggregator ships user ids to Redis joined by newlines. */
export const UserId = z
  .string()
  .min(1)
  .max(256)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .regex(/^[^\x00-\x1f\x7f]+$/, 'no control characters');

const Count = z.number().int('expected an integer').min(0, 'must be >= 0').max(1e9, 'must be <= 1000000000');

/** "appVersion: required" reads better than zod's "expected string, received undefined". */
const orRequired = (message: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : message);

/** ISO-8601 string or epoch ms, within the accepted window around the injected clock's now. */
function eventTime(clock: Clock) {
  return z
    .union(
      [
        z.number().int().nonnegative(),
        z
          .string()
          .max(40)
          .regex(/^\d{4}-\d{2}-\d{2}T/)
          .transform((s, ctx) => {
            const ms = Date.parse(s);
            if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: 'expected an ISO-8601 time' });
            return ms;
          }),
      ],
      { error: orRequired('expected an ISO-8601 time or epoch milliseconds') },
    )
    .superRefine((ms, ctx) => {
      const now = clock.now();
      if (ms < now - MAX_EVENT_AGE_MS) ctx.addIssue({ code: 'custom', message: 'older than 24 hours' });
      else if (ms > now + MAX_EVENT_FUTURE_MS) ctx.addIssue({ code: 'custom', message: 'more than 5 minutes in the future' });
    });
}

export const sliceFields = {
  appVersion: SliceValue,
  platform: z.enum(PLATFORMS, { error: orRequired(`expected one of ${PLATFORMS.join('|')}`) }),
  osVersion: SliceValue.optional(),
  region: SliceValue.optional(),
};

/**
 * One wire event → its normalised TelemetryEvent (times as epoch ms, unknown fields such as `eventId` dropped).
 * Built once per router with the clock: the time window is part of the schema.
 */
export function createEventSchema(clock: Clock) {
  const time = eventTime(clock);
  const login = z.object({
    type: z.literal('login'),
    ts: time,
    outcome: z.enum(['success', 'failure'], { error: orRequired('expected one of success|failure') }),
    errorCode: SliceValue.optional(),
    ...sliceFields,
    userId: UserId.optional(),
  });
  const aggregate = z
    .object({
      type: z.literal('login_aggregate'),
      minute: time,
      attempts: Count,
      failures: Count,
      users: Count.optional(),
      failedUsers: Count.optional(),
      failuresByErrorCode: z
        .record(SliceValue, Count)
        .refine((r) => Object.keys(r).length <= MAX_ERROR_CODES_PER_EVENT, `at most ${MAX_ERROR_CODES_PER_EVENT} error codes`)
        .optional(),
      ...sliceFields,
    })
    .refine((e) => e.failures <= e.attempts, { message: 'must not exceed attempts', path: ['failures'] })
    .refine((e) => e.users === undefined || e.failedUsers === undefined || e.failedUsers <= e.users, {
      message: 'must not exceed users',
      path: ['failedUsers'],
    })
    .refine((e) => sumOf(e.failuresByErrorCode) <= e.failures, {
      message: 'the counts add up to more than failures',
      path: ['failuresByErrorCode'],
    });
  return z.discriminatedUnion('type', [login, aggregate], { error: 'type: expected one of login|login_aggregate' });
}

function sumOf(counts: Record<string, number> | undefined): number {
  let sum = 0;
  for (const key in counts) sum += counts[key]!;
  return sum;
}

export type EventSchema = ReturnType<typeof createEventSchema>;

export interface RejectedEvent {
  index: number;
  error: string;
}

/** zod's defaults say "Invalid input: expected string, received undefined"; clients read "appVersion: required". */
const errorMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined) return 'required';
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  return undefined;
};

function describe(error: z.ZodError): string {
  const issue = error.issues[0]!;
  // The union's own message already names `type`.
  if (issue.path.length === 0) return issue.message;
  return `${issue.path.join('.')}: ${issue.message}`;
}

/**
 * Validates every event on its own: one bad event is rejected by index, the rest of the batch goes on. Good events
 * take the hot path's validator (./fast-event.ts, the same answers as the schema); the rest are parsed by the schema,
 * whose readable messages cost a second parse, paid only by bad events: a per-parse error map halves its speed.
 * `now` must be the schema's clock's: both judge the same time window.
 */
export function validateEvents(
  schema: EventSchema,
  raw: readonly unknown[],
  now: number,
): { events: TelemetryEvent[]; rejected: RejectedEvent[] } {
  const events: TelemetryEvent[] = [];
  const rejected: RejectedEvent[] = [];
  for (let index = 0; index < raw.length; index++) {
    const fast = fastEvent(raw[index], now);
    if (fast !== undefined) {
      events.push(fast);
      continue;
    }
    const result = schema.safeParse(raw[index]);
    if (result.success) events.push(result.data);
    else rejected.push({ index, error: describe(schema.safeParse(raw[index], { error: errorMessages }).error!) });
  }
  return { events, rejected };
}
