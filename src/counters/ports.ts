import type { Bucket, Dimension, Platform } from '../domain/types';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/**
 * Read side of the login counters. Redis backs it in the service; an in-memory twin backs the backtest. The detector
 * runner only ever talks to this interface, which is what lets one detector serve both.
 */
export interface CounterSource {
  /**
   * Buckets of `stepMs` (a multiple of a minute; HOUR_MS reads hourly roll-ups) covering [from, to), ascending, one
   * per step, with empty buckets (all zero) where nothing was counted. `from` is rounded down to the step.
   */
  buckets(app: string, from: number, to: number, stepMs: number): Promise<Bucket[]>;
  /**
   * Distinct users over [from, to), overall or within one slice: HyperLogLog unions for raw events plus the summed
   * `users` of aggregates (which carry counts, not ids, so a user seen in several minutes counts in each).
   */
  distinctUsers(
    app: string,
    from: number,
    to: number,
    slice?: { dimension: Dimension; value: string },
  ): Promise<{ users: number; failedUsers: number }>;
}

/** What one batch adds to one time bucket: hash field increments and the user ids for each HyperLogLog. */
export interface BucketDelta {
  fields: Map<string, number>;
  users: Map<string, Set<string>>;
}

export interface BatchDelta {
  minutes: Map<number, BucketDelta>;
  /**
   * Hourly roll-ups: every field, but only the whole app's users. Per-slice users per hour would double the
   * HyperLogLog work (most of Redis's share of ingest) for numbers the detector never reads; ranges of minutes union
   * the minute HyperLogLogs instead.
   */
  hours: Map<number, BucketDelta>;
  /** For the bounded-label login metrics. */
  byPlatform: Map<Platform, { attempts: number; failures: number }>;
}

/**
 * Write side of the login counters: applies one job's pre-aggregated delta exactly once (`false`: this job id was
 * applied before, nothing changed). The ingest worker calls it; how and where the counts are kept is the counters'.
 */
export interface CounterWriter {
  apply(jobId: string, app: string, delta: BatchDelta): Promise<boolean>;
}
