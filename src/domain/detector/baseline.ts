import { SLICE_DIMENSIONS, type Bucket, type Counts } from '../types';
import type { DetectorSettings } from './settings';
import { OVERALL, unitKey } from './series';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface PooledRate {
  failures: number;
  attempts: number;
  /** Failed users and users of the same hours (absent in states written before they were kept). */
  failedUsers?: number;
  users?: number;
  /**
   * How sure history is of the rate, as the κ of a Beta prior: estimated from how much the pooled hours' rates differ
   * beyond binomial noise (days differ, and so do neighbouring hours), capped by the pooled attempts. Absent with
   * fewer than three hours, or in states written before it was kept.
   */
  concentration?: number;
}

/**
 * What history says is normal around this hour, rebuilt once per hour from hourly roll-ups and kept in the
 * detector state in between, so that the evaluation every few seconds reads only the recent minutes.
 */
export interface Baseline {
  /** Start of the hour this baseline was built for. */
  hour: number;
  /** `time_of_day`: same hours on previous days; `recent`: the last 24 hours (not enough same-hour history). */
  source: 'time_of_day' | 'recent';
  /** Pooled failures/attempts per unit key (`*`, `appVersion=5.1.0`, …), hours of past incidents left out. */
  rates: Record<string, PooledRate>;
  /** Expected attempts of the hour slots around now (median of previous days at the same time); null: no history. */
  volume: Array<{ at: number; attempts: number }> | null;
}

export function hourOf(ms: number): number {
  return ms - (((ms % HOUR) + HOUR) % HOUR);
}

/** The hourly range the detector needs read to rebuild its baseline, or null while the cached one is current. */
export function historyRange(
  cached: Baseline | null,
  now: number,
  settings: DetectorSettings,
): { from: number; to: number } | null {
  const hour = hourOf(now);
  if (cached && cached.hour === hour) return null;
  return { from: hour - Math.max(1, settings.historyDays) * DAY, to: hour };
}

/**
 * Pools hours of one unit, leaving out hours whose failures are far above the pooled rate: an incident yesterday
 * must not become today's normal.
 */
function robustPool(hours: readonly PooledRate[], outlierRatio: number): PooledRate {
  const total = (list: readonly PooledRate[], key: 'failures' | 'attempts' | 'failedUsers' | 'users') =>
    list.reduce((a, h) => a + (h[key] ?? 0), 0);
  const attempts = total(hours, 'attempts');
  if (attempts === 0) return { failures: 0, attempts: 0 };
  const rate = total(hours, 'failures') / attempts;
  // A floor of a few failures keeps low-traffic hours, whose rates are all noise, from being thrown out.
  const kept = hours.filter((h) => h.failures <= Math.max(5, outlierRatio * rate * h.attempts));
  const pooled: PooledRate = {
    failures: total(kept, 'failures'),
    attempts: total(kept, 'attempts'),
    failedUsers: total(kept, 'failedUsers'),
    users: total(kept, 'users'),
  };
  const concentration = spreadConcentration(kept, pooled);
  return concentration === null ? pooled : { ...pooled, concentration };
}

/**
 * κ of the hours' rates around the pooled one (method of moments): a beta-binomial hour of n attempts has a variance
 * n·p·(1−p)·(1 + (n−1)/(κ+1)), so the Pearson dispersion φ of the hours gives κ = (n̄−1)/(φ−1) − 1. Hours that agree
 * within binomial noise are as sure as their attempts.
 */
function spreadConcentration(hours: readonly PooledRate[], pooled: PooledRate): number | null {
  const used = hours.filter((h) => h.attempts > 0);
  if (used.length < 3 || pooled.attempts === 0) return null;
  const p = (pooled.failures + 0.5) / (pooled.attempts + 1);
  let chi2 = 0;
  for (const h of used) chi2 += (h.failures - h.attempts * p) ** 2 / (h.attempts * p * (1 - p));
  const phi = chi2 / (used.length - 1);
  const meanAttempts = pooled.attempts / used.length;
  if (phi <= 1 || meanAttempts <= 1) return pooled.attempts;
  return Math.max(2, Math.min(pooled.attempts, (meanAttempts - 1) / (phi - 1) - 1));
}

function poolUnits(hours: readonly Bucket[], outlierRatio: number): Record<string, PooledRate> {
  const perUnit = new Map<string, PooledRate[]>();
  const add = (key: string, c: Counts) => {
    const list = perUnit.get(key) ?? [];
    list.push({ failures: c.failures, attempts: c.attempts, failedUsers: c.failedUsers, users: c.users });
    perUnit.set(key, list);
  };
  for (const bucket of hours) {
    add(OVERALL.key, bucket.total);
    for (const dimension of SLICE_DIMENSIONS) {
      for (const [value, c] of Object.entries(bucket.slices[dimension])) add(unitKey(dimension, value), c);
    }
  }
  // Keyed by slice values from telemetry: no prototype to collide with.
  const rates: Record<string, PooledRate> = Object.create(null) as Record<string, PooledRate>;
  for (const [key, list] of perUnit) rates[key] = robustPool(list, outlierRatio);
  return rates;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Builds the baseline for the hour containing `now` from hourly buckets of previous days (ascending, the port
 * zero-fills hours without data, which count as "no history" here).
 */
export function buildBaseline(hours: readonly Bucket[], now: number, settings: DetectorSettings): Baseline {
  const hour = hourOf(now);
  const byStart = new Map<number, Bucket>();
  for (const b of hours) if (b.total.attempts > 0) byStart.set(b.at, b);

  const sameTime: Bucket[] = [];
  for (let d = 1; d <= settings.historyDays; d++) {
    for (const k of [-1, 0, 1]) {
      const b = byStart.get(hour + k * HOUR - d * DAY);
      if (b) sameTime.push(b);
    }
  }
  const sameTimeAttempts = sameTime.reduce((a, b) => a + b.total.attempts, 0);
  const useTimeOfDay = sameTimeAttempts >= settings.errorRate.minBaselineAttempts;
  const reference = useTimeOfDay ? sameTime : hours.filter((b) => b.at >= hour - DAY && b.total.attempts > 0);

  // Volume slots cover the recent minutes and the hour ahead, for interpolation at any minute of this hour.
  const firstSlot = hourOf(hour - settings.recentMinutes * MINUTE);
  const slots: Array<{ at: number; attempts: number }> = [];
  for (let at = firstSlot; at <= hour + HOUR; at += HOUR) {
    const seen: number[] = [];
    for (let d = 1; d <= settings.historyDays; d++) {
      const b = byStart.get(at - d * DAY);
      if (b) seen.push(b.total.attempts);
    }
    if (seen.length > 0) slots.push({ at, attempts: median(seen) });
  }
  const complete = slots.length === (hour + HOUR - firstSlot) / HOUR + 1;

  return {
    hour,
    source: useTimeOfDay ? 'time_of_day' : 'recent',
    rates: poolUnits(reference, settings.errorRate.outlierRatio),
    volume: complete ? slots : null,
  };
}

/** Expected attempts in the minute starting at `t` per the time-of-day profile (linear between hour centres). */
export function profileAt(profile: ReadonlyArray<{ at: number; attempts: number }>, t: number): number {
  const centre = t + MINUTE / 2;
  const first = profile[0];
  if (!first) return 0;
  let prev = first;
  for (const slot of profile) {
    const slotCentre = slot.at + HOUR / 2;
    if (slotCentre >= centre) {
      const prevCentre = prev.at + HOUR / 2;
      const w = slotCentre === prevCentre ? 1 : (centre - prevCentre) / (slotCentre - prevCentre);
      return ((1 - w) * prev.attempts + w * slot.attempts) / 60;
    }
    prev = slot;
  }
  return prev.attempts / 60;
}
