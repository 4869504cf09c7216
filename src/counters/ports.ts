import type { Bucket, Dimension } from '../domain/types';

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

/**
 * What one batch adds to one time bucket, as plain JSON: the API folds a validated batch into these and queues them
 * instead of the raw events (a fraction of the bytes, and no per-event work left for the worker).
 */
export interface BucketDelta {
  /** Start of the bucket, epoch ms. */
  at: number;
  /** Hash field (`a`, `f|v|5.2.0`: the grammar in keys.ts) → increment. */
  fields: Record<string, number>;
  /** HyperLogLog field (`u`, `fu|e|AUTH_TIMEOUT`) → the user ids of raw events, joined by newlines. */
  users: Record<string, string>;
}

/** One batch's increments, per minute; the hourly roll-ups are derived from them when applied. */
export interface CounterDelta {
  minutes: BucketDelta[];
}

/**
 * Write side of the login counters: applies one job's pre-aggregated delta exactly once (`false`: this job id was
 * applied before, nothing changed). The ingest worker calls it; how and where the counts are kept is the counters'.
 */
export interface CounterWriter {
  apply(jobId: string, app: string, delta: CounterDelta): Promise<boolean>;
}
