import type { Dimension } from '../domain/types';

/**
 * Names of the login counters in Redis, shared by the writer (./writer.ts, lua/apply-delta.lua) and the reader
 * (./redis.ts, lua/read-buckets.lua). Every key of one app carries the hash tag `{app}`, so an app's counters live in
 * one cluster slot and one Lua script may touch them all.
 *
 * Key layout (all under `${REDIS_PREFIX}:c:{<app>}`):
 *
 *   …:m:<minuteStartMs>            hash, one per app and minute            TTL 8 days (compare with 7 previous days)
 *   …:h:<hourStartMs>              hash, hourly roll-up, same fields       TTL 35 days (weekday baselines)
 *       a / f                      attempts / failures of the bucket
 *       u / fu                     users / failedUsers reported by aggregates (raw events count through the HLLs)
 *       a|<d>|<value> … fu|<d>|…   the same four per slice value; <d> is v=appVersion p=platform o=osVersion r=region
 *       f|e|<errorCode>            failures per error code
 *   <bucket key>|u, <bucket key>|fu                 HyperLogLog of the userIds (all / failed) of raw events
 *   <minute key>|u|<d>|<value>, …|fu|<d>|<value>    the same per slice value; …|fu|e|<code> per error code. Minutes
 *                                                   only: per hour, the whole app's users are the only ones kept.
 *   …:done:<jobId>                 string, set once a job is folded         TTL 2 days (retries last minutes)
 *   …:s:<hourStartMs>:<d>          set of the values of dimension <d> counted that hour (at most the limit); later
 *                                  values of the hour are counted as `other`              TTL 26 h (events ≤ 24 h old)
 *   …:s:<hourStartMs>:over         hash, per <d>: values folded into `other` that hour (logged once per hour)
 *
 * Distinct users of a bucket or slice = PFCOUNT of its `u` HyperLogLog + its summed `u` field; over a range of minutes,
 * the PFCOUNT of their HyperLogLogs together (a union).
 */

/**
 * Slice values (appVersion, osVersion, region, errorCode) become hash fields and key suffixes joined with `|`, so they
 * are held to a small safe alphabet: no separators, no spaces, no control characters.
 */
export const SLICE_VALUE = '[A-Za-z0-9][A-Za-z0-9._+:-]{0,63}';
export const SLICE_VALUE_PATTERN = new RegExp(`^${SLICE_VALUE}$`);

/** Minute buckets back the live detector's comparison with the same minute on previous days (up to 7). */
export const MINUTE_TTL_SECONDS = 8 * 24 * 3600;
/** Hourly roll-ups back baselines over several weeks of the same weekday. */
export const HOUR_TTL_SECONDS = 35 * 24 * 3600;
/** A job is retried for minutes at most (10 attempts, exponential from 500 ms); two days is a wide margin. */
export const DONE_MARKER_TTL_SECONDS = 2 * 24 * 3600;
/** Value sets are needed while their hour still takes events: up to 24 h after it ended, plus clock skew. */
export const VALUE_SET_TTL_SECONDS = 26 * 3600;

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
