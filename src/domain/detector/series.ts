import { MINUTE_MS } from '../time';
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

/** One minute bucket's slice counts, listed once: value names per dimension and their counts, four numbers each. */
interface Column {
  at: number;
  /** The bucket's total counts, which every event moves: a bucket with the same ones is the same bucket. */
  total: Counts;
  values: string[][];
  /** Per dimension: attempts, failures, failedUsers, users of each value, in `values` order. */
  counts: number[][];
}

function columnOf(bucket: Bucket): Column {
  const values: string[][] = [];
  const counts: number[][] = [];
  for (let d = 0; d < SLICE_DIMENSIONS.length; d++) {
    const slice = bucket.slices[SLICE_DIMENSIONS[d] as SliceDimension];
    // Object.keys in a plain loop, not for-in (slow on keys such as Android's "14"); the order is the series' order.
    const keys = Object.keys(slice);
    const numbers = new Array<number>(keys.length * 4);
    for (let k = 0; k < keys.length; k++) {
      const c = slice[keys[k] as string] as Counts;
      numbers[4 * k] = c.attempts;
      numbers[4 * k + 1] = c.failures;
      numbers[4 * k + 2] = c.failedUsers;
      numbers[4 * k + 3] = c.users;
    }
    values.push(keys);
    counts.push(numbers);
  }
  const t = bucket.total;
  return { at: bucket.at, total: { attempts: t.attempts, failures: t.failures, users: t.users, failedUsers: t.failedUsers }, values, counts };
}

function sameColumn(column: Column, bucket: Bucket): boolean {
  if (column.at !== bucket.at) return false;
  const a = column.total;
  const b = bucket.total;
  return a.attempts === b.attempts && a.failures === b.failures && a.users === b.users && a.failedUsers === b.failedUsers;
}

interface UnitState {
  series: UnitSeries;
  /** Minutes of the window whose bucket lists this value: the unit leaves the series when none does. */
  present: number;
}

function emptySeries(unit: Unit, length: number): UnitSeries {
  return { unit, attempts: zeros(length), failures: zeros(length), failedUsers: zeros(length), users: zeros(length) };
}

/** Pushed rather than `new Array(n).fill(0)`: a packed array, which V8 reads and moves (see moveLeft) faster than a holey one. */
function zeros(length: number): number[] {
  const values: number[] = [];
  for (let i = 0; i < length; i++) values.push(0);
  return values;
}

function setMinute(series: UnitSeries, i: number, numbers: readonly number[], k: number): void {
  series.attempts[i] = numbers[k] as number;
  series.failures[i] = numbers[k + 1] as number;
  series.failedUsers[i] = numbers[k + 2] as number;
  series.users[i] = numbers[k + 3] as number;
}

function shiftLeft(series: UnitSeries, by: number): void {
  moveLeft(series.attempts, by);
  moveLeft(series.failures, by);
  moveLeft(series.failedUsers, by);
  moveLeft(series.users, by);
}

/** A plain loop: Array.prototype.copyWithin takes V8's generic path and was most of the build's time. */
function moveLeft(values: number[], by: number): void {
  for (let i = by; i < values.length; i++) values[i - by] = values[i] as number;
}

/**
 * The minute series of a sliding window, kept from one evaluation to the next: the detector runs every few seconds
 * over the last two hours, so most of a window's minutes were reshaped before. Minutes are matched by start and by
 * their total counts (every event moves them, the detector's input key relies on that too); the unit arrays move
 * left by the minutes that passed and only the new or changed minutes are listed and written. The result is exactly
 * `buildSeries` of the same buckets, units in the same order (by dimension, then first appearance in the window).
 *
 * The series it returns is its own and is rewritten by the next `build`: callers read it within one evaluation.
 */
export class SeriesWindow {
  private columns: Column[] = [];
  private total: UnitSeries = emptySeries(OVERALL, 0);
  private readonly units = SLICE_DIMENSIONS.map(() => new Map<string, UnitState>());

  build(minutes: readonly Bucket[]): MinuteSeries {
    const length = minutes.length;
    if (this.columns.length !== length) this.reset(length);
    // How many minutes the window moved since the last build (the whole length when nothing lines up).
    const first = minutes[0];
    const previous = this.columns[0];
    let shift = length;
    if (first && previous && first.at >= previous.at && (first.at - previous.at) % MINUTE_MS === 0) {
      shift = Math.min(length, (first.at - previous.at) / MINUTE_MS);
    }
    const old = this.columns;
    const columns = new Array<Column>(length);
    const fresh: number[] = [];
    for (let i = 0; i < length; i++) {
      const bucket = minutes[i] as Bucket;
      const kept = i + shift < old.length ? old[i + shift] : undefined;
      if (kept !== undefined && sameColumn(kept, bucket)) {
        columns[i] = kept;
        continue;
      }
      columns[i] = columnOf(bucket);
      fresh.push(i);
    }
    // Presence: what left the window (moved out, or changed: its slot now holds a fresh column) no longer counts.
    for (let j = 0; j < old.length; j++) if (j < shift || columns[j - shift] !== old[j]) this.count(old[j] as Column, -1);
    for (const i of fresh) this.count(columns[i] as Column, 1, length);
    if (shift > 0 && shift < length) {
      shiftLeft(this.total, shift);
      for (const map of this.units) for (const state of map.values()) shiftLeft(state.series, shift);
    }
    for (const i of fresh) this.write(i, columns[i] as Column);
    this.columns = columns;
    return { at: minutes.map((b) => b.at), total: this.total, slices: this.ordered() };
  }

  private reset(length: number): void {
    this.columns = [];
    this.total = emptySeries(OVERALL, length);
    for (const map of this.units) map.clear();
  }

  /** Adds `by` to the presence of the column's values; units appear (zero-filled) and disappear with it. */
  private count(column: Column, by: 1 | -1, length = 0): void {
    for (let d = 0; d < SLICE_DIMENSIONS.length; d++) {
      const map = this.units[d] as Map<string, UnitState>;
      for (const value of column.values[d] as string[]) {
        let state = map.get(value);
        if (!state) {
          const dimension = SLICE_DIMENSIONS[d] as SliceDimension;
          state = { series: emptySeries({ key: unitKey(dimension, value), dimension, value }, length), present: 0 };
          map.set(value, state);
        }
        state.present += by;
        if (state.present === 0) map.delete(value);
      }
    }
  }

  /** Minute i from its column: zero for every unit, then the column's values. */
  private write(i: number, column: Column): void {
    const t = column.total;
    this.total.attempts[i] = t.attempts;
    this.total.failures[i] = t.failures;
    this.total.failedUsers[i] = t.failedUsers;
    this.total.users[i] = t.users;
    for (let d = 0; d < SLICE_DIMENSIONS.length; d++) {
      const map = this.units[d] as Map<string, UnitState>;
      for (const state of map.values()) setMinute(state.series, i, ZERO, 0);
      const values = column.values[d] as string[];
      const numbers = column.counts[d] as number[];
      for (let k = 0; k < values.length; k++) setMinute((map.get(values[k] as string) as UnitState).series, i, numbers, 4 * k);
    }
  }

  /** Each dimension's units in order of first appearance in the window, as `buildSeries` has always listed them. */
  private ordered(): UnitSeries[] {
    const out: UnitSeries[] = [];
    for (let d = 0; d < SLICE_DIMENSIONS.length; d++) {
      const map = this.units[d] as Map<string, UnitState>;
      const placed = new Set<string>();
      // Usually every unit shows in the first minute or two: stop as soon as all are placed.
      for (let i = 0; i < this.columns.length && placed.size < map.size; i++) {
        for (const value of (this.columns[i] as Column).values[d] as string[]) {
          if (placed.has(value)) continue;
          placed.add(value);
          out.push((map.get(value) as UnitState).series);
        }
      }
    }
    return out;
  }
}

const ZERO: readonly number[] = [0, 0, 0, 0];

/** The minute buckets reshaped into one aligned array per unit: a window built once (see SeriesWindow). */
export function buildSeries(minutes: readonly Bucket[]): MinuteSeries {
  return new SeriesWindow().build(minutes);
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
