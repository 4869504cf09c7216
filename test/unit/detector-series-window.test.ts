import fc from 'fast-check';
import { SLICE_DIMENSIONS, type Bucket, type Counts, type SliceDimension } from '../../src/domain/types';
import { SeriesWindow, unitKey, type MinuteSeries } from '../../src/domain/detector/series';

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** The reshaping as it was written before the window slid: every minute listed again, units by first appearance. */
function reference(minutes: readonly Bucket[]) {
  const byDimension = SLICE_DIMENSIONS.map(() => new Map<string, Record<'attempts' | 'failures' | 'users' | 'failedUsers', number[]>>());
  const column = (): Record<'attempts' | 'failures' | 'users' | 'failedUsers', number[]> => ({
    attempts: minutes.map(() => 0),
    failures: minutes.map(() => 0),
    failedUsers: minutes.map(() => 0),
    users: minutes.map(() => 0),
  });
  const put = (s: ReturnType<typeof column>, i: number, c: Counts) => {
    s.attempts[i] = c.attempts;
    s.failures[i] = c.failures;
    s.users[i] = c.users;
    s.failedUsers[i] = c.failedUsers;
  };
  const total = column();
  minutes.forEach((bucket, i) => {
    put(total, i, bucket.total);
    SLICE_DIMENSIONS.forEach((dimension, d) => {
      const map = byDimension[d]!;
      for (const value of Object.keys(bucket.slices[dimension])) {
        if (!map.has(value)) map.set(value, column());
        put(map.get(value)!, i, bucket.slices[dimension][value]!);
      }
    });
  });
  return {
    at: minutes.map((b) => b.at),
    total,
    slices: SLICE_DIMENSIONS.flatMap((dimension, d) => [...byDimension[d]!].map(([value, s]) => ({ key: unitKey(dimension, value), ...s }))),
  };
}

/** A MinuteSeries as plain data, comparable with the reference. */
function plain(series: MinuteSeries) {
  const arrays = (s: MinuteSeries['total']) => ({ attempts: [...s.attempts], failures: [...s.failures], failedUsers: [...s.failedUsers], users: [...s.users] });
  return { at: [...series.at], total: arrays(series.total), slices: series.slices.map((s) => ({ key: s.unit.key, ...arrays(s) })) };
}

type SliceSpec = [SliceDimension, string, number, number];

function bucket(at: number, slices: readonly SliceSpec[]): Bucket {
  const b: Bucket = { at, total: { attempts: 0, failures: 0, users: 0, failedUsers: 0 }, slices: { appVersion: {}, platform: {}, osVersion: {}, region: {} }, errorCodes: {} };
  for (const [dimension, value, attempts, failures] of slices) {
    const c = (b.slices[dimension][value] ??= { attempts: 0, failures: 0, users: 0, failedUsers: 0 });
    c.attempts += attempts;
    c.failures += failures;
    c.users += attempts;
    c.failedUsers += failures;
    // Every event moves the total (what the window matches minutes by).
    b.total.attempts += attempts;
    b.total.failures += failures;
    b.total.users += attempts;
    b.total.failedUsers += failures;
  }
  return b;
}

const sliceOf = (minAttempts: number) =>
  fc.tuple(
    fc.constantFrom<SliceDimension>(...SLICE_DIMENSIONS),
    // Numeric-looking values too: object keys such as "14" are listed first, whatever their insertion order.
    fc.constantFrom('5.1.0', '5.2.0', 'ios', 'android', '14', '17.3', '3', 'eu', 'na'),
    fc.integer({ min: minAttempts, max: 50 }),
    fc.integer({ min: 0, max: 5 }),
  );
const slice = sliceOf(0);

describe('the sliding series window', () => {
  it('given any run of evaluations (the window sliding, jumping, minutes changing under it), then each build equals the reshaping from scratch', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.array(slice, { maxLength: 6 }), { minLength: 40, maxLength: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 39 }), sliceOf(1)), { minLength: 1, maxLength: 12 }),
        (length, content, steps) => {
          // The stored buckets, mutated in place the way the backtest's in-memory counters are.
          const store = content.map((slices, i) => bucket(T0 + i * MINUTE, slices));
          const window = new SeriesWindow();
          let start = 0;
          for (const [move, changed, extra] of steps) {
            start = Math.min(store.length - length, start + (move > 10 ? move * 2 : move));
            const target = store[changed]!;
            const grown = bucket(target.at, [extra, ...Object.entries(target.slices).flatMap(([d, values]) => Object.entries(values).map(([v, c]) => [d, v, c.attempts, c.failures] as SliceSpec))]);
            Object.assign(target, grown);
            const minutes = store.slice(start, start + length);
            expect(plain(window.build(minutes))).toEqual(reference(minutes));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('given a unit seen only in the minute that leaves the window, then it leaves the series, and the others keep their order by first appearance', () => {
    const window = new SeriesWindow();
    const minutes = [
      bucket(T0, [['appVersion', '5.1.0', 10, 1]]),
      bucket(T0 + MINUTE, [['appVersion', '5.2.0', 5, 0], ['appVersion', '5.1.0', 10, 0]]),
      bucket(T0 + 2 * MINUTE, [['appVersion', '5.3.0', 7, 2]]),
      bucket(T0 + 3 * MINUTE, [['appVersion', '5.1.0', 8, 0]]),
    ];
    expect(window.build(minutes.slice(0, 3)).slices.map((s) => s.unit.key)).toEqual(['appVersion=5.1.0', 'appVersion=5.2.0', 'appVersion=5.3.0']);
    const slid = window.build(minutes.slice(2, 4));
    expect(slid.slices.map((s) => s.unit.key)).toEqual(['appVersion=5.3.0', 'appVersion=5.1.0']);
    expect(slid.slices.map((s) => s.attempts)).toEqual([
      [7, 0],
      [0, 8],
    ]);
  });
});
