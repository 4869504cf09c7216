import type { Dimension } from '../domain/types';

/**
 * Names of the login counters in Redis, shared by the writer (src/ingest/aggregate.ts, whose header documents the
 * layout) and the reader (src/counters/redis.ts). Every key of one app carries the hash tag `{app}`, so an app's
 * counters live in one cluster slot and one Lua script may touch them all.
 */

/** Minute buckets back the live detector's comparison with the same minute on previous days (up to 7). */
export const MINUTE_TTL_SECONDS = 8 * 24 * 3600;
/** Hourly roll-ups back baselines over several weeks of the same weekday. */
export const HOUR_TTL_SECONDS = 35 * 24 * 3600;
/** A job is retried for minutes at most (10 attempts, exponential from 500 ms); two days is a wide margin. */
export const DONE_MARKER_TTL_SECONDS = 2 * 24 * 3600;

/** Short codes keep hash fields small (listpack-encoded hashes stay compact). */
export const DIMENSION_CODES: Record<Dimension, string> = {
  appVersion: 'v',
  platform: 'p',
  osVersion: 'o',
  region: 'r',
  errorCode: 'e',
};
export const DIMENSION_OF_CODE: Record<string, Dimension> = Object.fromEntries(
  Object.entries(DIMENSION_CODES).map(([dimension, code]) => [code, dimension as Dimension]),
);

/** What a hash field counts: attempts, failures, and the `users`/`failedUsers` that aggregates report. */
export type Measure = 'a' | 'f' | 'u' | 'fu';

export const appCountersKey = (prefix: string, app: string) => `${prefix}:c:{${app}}`;
export const minuteKey = (appKey: string, minute: number) => `${appKey}:m:${minute}`;
export const hourKey = (appKey: string, hour: number) => `${appKey}:h:${hour}`;
export const doneKey = (appKey: string, jobId: string) => `${appKey}:done:${jobId}`;

/** `a` for the bucket total, `a|v|5.2.0` for one slice value. */
export const field = (measure: Measure, dimension?: Dimension, value?: string) =>
  dimension === undefined ? measure : `${measure}|${DIMENSION_CODES[dimension]}|${value}`;

/** The HyperLogLog of the users behind a `u`/`fu` field sits next to the bucket hash under that field's name. */
export const hllKey = (bucketKey: string, userField: string) => `${bucketKey}|${userField}`;
