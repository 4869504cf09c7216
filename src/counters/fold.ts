import { SLICE_DIMENSIONS, type Bucket, type Counts, type SliceDimension, type TelemetryEvent } from '../domain/types';
import { MINUTE_MS } from '../domain/time';

/** Slice value for an optional dimension the client did not send, so every dimension's marginals sum to the total. */
export const UNKNOWN = 'unknown';
/** Slice value of the logins whose own value came after its dimension's hourly limit (lua/apply-delta.lua). */
export const OTHER = 'other';

/**
 * What one event adds to its minute's counters. Both the Redis aggregator and the in-memory twin apply exactly this,
 * so the live detector and the backtest see the same numbers.
 */
export interface EventIncrement {
  /** Minute bucket start, epoch ms (event time, not arrival time). */
  minute: number;
  slices: ReadonlyArray<readonly [SliceDimension, string]>;
  counts: Counts;
  errorCodes: Readonly<Record<string, number>>;
  /** Raw login events carry a user id to count distinct users (HyperLogLog); aggregates carry counts instead. */
  userId?: string;
  failed: boolean;
}

/**
 * A record without a prototype. Slice values and error codes are client strings: on a plain object `constructor`,
 * `toString` or `valueOf` would read as inherited functions (`counts[value] ??= …` then writes onto Object's) and
 * `__proto__` would set the prototype instead of a key.
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** An empty time bucket, its per-value records prototype-free (see `dict`). */
export function emptyBucket(at: number): Bucket {
  return {
    at,
    total: emptyCounts(),
    slices: { appVersion: dict(), platform: dict(), osVersion: dict(), region: dict() },
    errorCodes: dict(),
  };
}

export function minuteOf(ms: number): number {
  return ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

export function sliceValues(event: TelemetryEvent): Array<readonly [SliceDimension, string]> {
  return SLICE_DIMENSIONS.map((d) => [d, event[d] ?? UNKNOWN] as const);
}

/** Successes carry no error code: one shared empty record instead of one per event (the API folds every event). */
const NO_CODES: Readonly<Record<string, number>> = Object.freeze(dict<number>());

function oneCode(code: string): Record<string, number> {
  const codes = dict<number>();
  codes[code] = 1;
  return codes;
}

export function incrementOf(event: TelemetryEvent): EventIncrement {
  if (event.type === 'login') {
    const failed = event.outcome === 'failure';
    return {
      minute: minuteOf(event.ts),
      slices: sliceValues(event),
      // Raw events contribute users through the HyperLogLog of their userId, not through these counts.
      counts: { attempts: 1, failures: failed ? 1 : 0, users: 0, failedUsers: 0 },
      errorCodes: failed ? oneCode(event.errorCode ?? UNKNOWN) : NO_CODES,
      ...(event.userId !== undefined ? { userId: event.userId } : {}),
      failed,
    };
  }
  const byCode = event.failuresByErrorCode ?? {};
  const coded = Object.values(byCode).reduce((a, b) => a + b, 0);
  const errorCodes = Object.assign(dict<number>(), byCode);
  // Failures the client did not break down by code still count, as "unknown".
  if (event.failures > coded) errorCodes[UNKNOWN] = (errorCodes[UNKNOWN] ?? 0) + (event.failures - coded);
  return {
    minute: minuteOf(event.minute),
    slices: sliceValues(event),
    counts: {
      attempts: event.attempts,
      failures: event.failures,
      users: event.users ?? 0,
      failedUsers: event.failedUsers ?? 0,
    },
    errorCodes,
    failed: event.failures > 0,
  };
}

export function emptyCounts(): Counts {
  return { attempts: 0, failures: 0, users: 0, failedUsers: 0 };
}

export function addCounts(into: Counts, add: Counts): void {
  into.attempts += add.attempts;
  into.failures += add.failures;
  into.users += add.users;
  into.failedUsers += add.failedUsers;
}
