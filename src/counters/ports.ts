import type { Bucket, Dimension } from '../domain/types';

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
