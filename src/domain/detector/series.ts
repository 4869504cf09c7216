import { SLICE_DIMENSIONS, type Bucket, type Counts, type SliceDimension } from '../types';

/** The whole app (`*`) or one value of one slice dimension, e.g. `appVersion=5.2.0`. */
export interface Unit {
  key: string;
  dimension: SliceDimension | null;
  value: string | null;
}

export const OVERALL: Unit = { key: '*', dimension: null, value: null };

export function unitKey(dimension: string, value: string): string {
  return `${dimension}=${value}`;
}

/** Per-minute counts of one unit, aligned with `MinuteSeries.at`. */
export interface UnitSeries {
  unit: Unit;
  attempts: number[];
  failures: number[];
  failedUsers: number[];
  users: number[];
}

/** The recent minute buckets, reshaped into one aligned array per unit so windows are cheap to sum. */
export interface MinuteSeries {
  at: number[];
  total: UnitSeries;
  slices: UnitSeries[];
}

function emptySeries(unit: Unit, length: number): UnitSeries {
  return {
    unit,
    attempts: new Array<number>(length).fill(0),
    failures: new Array<number>(length).fill(0),
    failedUsers: new Array<number>(length).fill(0),
    users: new Array<number>(length).fill(0),
  };
}

function put(series: UnitSeries, i: number, c: Counts): void {
  series.attempts[i] = c.attempts;
  series.failures[i] = c.failures;
  series.failedUsers[i] = c.failedUsers;
  series.users[i] = c.users;
}

export function buildSeries(minutes: readonly Bucket[]): MinuteSeries {
  const length = minutes.length;
  const total = emptySeries(OVERALL, length);
  // One map per dimension keyed by value: this runs every few seconds per app, so no per-entry key strings.
  const byDimension = SLICE_DIMENSIONS.map(() => new Map<string, UnitSeries>());
  for (let i = 0; i < length; i++) {
    const bucket = minutes[i] as Bucket;
    put(total, i, bucket.total);
    // Plain loops over Object.keys, no closure per bucket and no for-in (slow on keys such as Android's "14"): this
    // runs for every minute of the window on every evaluation.
    for (let d = 0; d < SLICE_DIMENSIONS.length; d++) {
      const dimension = SLICE_DIMENSIONS[d] as SliceDimension;
      const values = bucket.slices[dimension];
      const map = byDimension[d] as Map<string, UnitSeries>;
      const keys = Object.keys(values);
      for (let k = 0; k < keys.length; k++) {
        const value = keys[k] as string;
        let series = map.get(value);
        if (!series) {
          series = emptySeries({ key: unitKey(dimension, value), dimension, value }, length);
          map.set(value, series);
        }
        put(series, i, values[value] as Counts);
      }
    }
  }
  return {
    at: minutes.map((b) => b.at),
    total,
    slices: byDimension.flatMap((map) => [...map.values()]),
  };
}

export function sum(values: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += values[i] as number;
  return s;
}

/** Index of the first minute at or after `time` (the series length when none is). */
export function indexAt(series: MinuteSeries, time: number): number {
  const i = series.at.findIndex((at) => at >= time);
  return i === -1 ? series.at.length : i;
}

export function seriesOf(series: MinuteSeries, key: string): UnitSeries | null {
  if (key === OVERALL.key) return series.total;
  return series.slices.find((s) => s.unit.key === key) ?? null;
}

export function countsOver(unit: UnitSeries, from: number, to: number): Counts {
  return {
    attempts: sum(unit.attempts, from, to),
    failures: sum(unit.failures, from, to),
    users: sum(unit.users, from, to),
    failedUsers: sum(unit.failedUsers, from, to),
  };
}

export function plus(a: Counts, b: Counts): Counts {
  return {
    attempts: a.attempts + b.attempts,
    failures: a.failures + b.failures,
    users: a.users + b.users,
    failedUsers: a.failedUsers + b.failedUsers,
  };
}
