import { SLICE_DIMENSIONS, type Bucket, type Counts, type Dimension, type SliceDimension, type TelemetryEvent } from '../domain/types';
import { DEFAULT_SLICE_VALUE_LIMITS, type SliceValueLimits } from '../config';
import { OTHER, addCounts, dict, emptyBucket, emptyCounts, incrementOf, type EventIncrement } from './fold';
import { type CounterSource } from './ports';
import { HOUR_MS, MINUTE_MS } from '../domain/time';

/** Raw-event user ids of one bucket, per key (`*`, `region=eu`, `errorCode=AUTH_TIMEOUT` for failures). */
type UserSets = Map<string, { users: Set<string>; failed: Set<string> }>;

interface Stored {
  bucket: Bucket;
  /** Distinct raw-event users; `bucket` counts them too, on top of the `users` aggregates report. */
  sets: UserSets;
}

const ALL = '*';

/**
 * The in-memory twin of the Redis counters, for the backtest: one app's minute buckets and hourly roll-ups, filled
 * with the same fold (`incrementOf`) the aggregator applies, and the same hourly limits on distinct slice values.
 *
 * Distinct users: raw `login` events carry user ids, kept in a Set per bucket and key (exact, where Redis keeps a
 * HyperLogLog); `login_aggregate` lines carry a `users` count instead, which is summed, so an aggregate user seen in
 * several minutes counts once per minute, exactly as in Redis.
 *
 * `buckets` returns the stored buckets themselves, not copies (the backtest reads ~100 of them every simulated
 * ten seconds for a week), and the same array again while nothing was added: callers treat both as read-only and do
 * not keep them across `add` calls.
 */
export class MemoryCounters implements CounterSource {
  private readonly minutes = new Map<number, Stored>();
  private readonly hours = new Map<number, Stored>();

  /** Bumped by every `add`: the last `buckets` answer stands until it changes. */
  private revision = 0;
  private last: { app: string; from: number; to: number; stepMs: number; revision: number; buckets: Bucket[] } | null = null;

  /** The values admitted per hour and dimension, as the Redis writer keeps them. */
  private readonly admitted = new Map<number, Map<Dimension, Set<string>>>();

  constructor(
    private readonly app: string,
    private readonly limits: SliceValueLimits = DEFAULT_SLICE_VALUE_LIMITS,
  ) {}

  add(event: TelemetryEvent): void {
    this.revision++;
    const raw = incrementOf(event);
    const hour = raw.minute - (raw.minute % HOUR_MS);
    const inc = this.bounded(hour, raw);
    this.apply(this.minutes, inc.minute, inc);
    this.apply(this.hours, hour, inc);
  }

  /** The increment with values past their hourly limit counted as `other`, as lua/apply-delta.lua counts them. */
  private bounded(hour: number, inc: EventIncrement): EventIncrement {
    let byDimension = this.admitted.get(hour);
    if (!byDimension) this.admitted.set(hour, (byDimension = new Map<Dimension, Set<string>>()));
    const admit = (dimension: Dimension, value: string) => this.admit(byDimension, dimension, value);
    // Usually every value is admitted already: then the increment stands as it is, with no copy per event.
    let slices = inc.slices;
    for (let i = 0; i < inc.slices.length; i++) {
      const [dimension, value] = inc.slices[i]!;
      const counted = admit(dimension, value);
      if (counted === value) continue;
      if (slices === inc.slices) slices = [...inc.slices];
      (slices as Array<readonly [SliceDimension, string]>)[i] = [dimension, counted];
    }
    let errorCodes = inc.errorCodes;
    for (const code in inc.errorCodes) {
      if (admit('errorCode', code) === code) continue;
      // Rare (past the limit): rebuild the record with the folded codes under `other`.
      const folded = dict<number>();
      for (const c in inc.errorCodes) {
        const counted = admit('errorCode', c);
        folded[counted] = (folded[counted] ?? 0) + inc.errorCodes[c]!;
      }
      errorCodes = folded;
      break;
    }
    return slices === inc.slices && errorCodes === inc.errorCodes ? inc : { ...inc, slices, errorCodes };
  }

  private admit(byDimension: Map<Dimension, Set<string>>, dimension: Dimension, value: string): string {
    const limit = dimension === 'platform' ? undefined : this.limits[dimension];
    if (limit === undefined || value === OTHER) return value;
    let values = byDimension.get(dimension);
    if (!values) byDimension.set(dimension, (values = new Set()));
    if (values.has(value)) return value;
    if (values.size >= limit) return OTHER;
    values.add(value);
    return value;
  }

  private apply(store: Map<number, Stored>, at: number, inc: EventIncrement): void {
    let stored = store.get(at);
    if (!stored) {
      stored = { bucket: emptyBucket(at), sets: new Map() };
      store.set(at, stored);
    }
    const { bucket } = stored;
    addCounts(bucket.total, inc.counts);
    // The user sets' keys only for events that carry a user: aggregates, most of a backtest's lines, have none.
    const users = inc.userId !== undefined;
    const touched: Counts[] = [bucket.total];
    const keys = [ALL];
    for (const [dimension, value] of inc.slices) {
      const slice = bucket.slices[dimension];
      const counts = (slice[value] ??= emptyCounts());
      addCounts(counts, inc.counts);
      if (!users) continue;
      touched.push(counts);
      keys.push(`${dimension}=${value}`);
    }
    for (const code in inc.errorCodes) bucket.errorCodes[code] = (bucket.errorCodes[code] ?? 0) + inc.errorCodes[code]!;
    if (users) this.countUser(stored.sets, keys, touched, inc);
  }

  private countUser(sets: UserSets, keys: string[], touched: Counts[], inc: EventIncrement): void {
    const userId = inc.userId as string;
    keys.forEach((key, i) => {
      const entry = sets.get(key) ?? { users: new Set<string>(), failed: new Set<string>() };
      sets.set(key, entry);
      const counts = touched[i] as Counts;
      if (!entry.users.has(userId)) {
        entry.users.add(userId);
        counts.users++;
      }
      if (inc.failed && !entry.failed.has(userId)) {
        entry.failed.add(userId);
        counts.failedUsers++;
      }
    });
    if (inc.failed) {
      for (const code of Object.keys(inc.errorCodes)) {
        const key = `errorCode=${code}`;
        const entry = sets.get(key) ?? { users: new Set<string>(), failed: new Set<string>() };
        sets.set(key, entry);
        entry.users.add(userId);
        entry.failed.add(userId);
      }
    }
  }

  buckets(app: string, from: number, to: number, stepMs: number): Promise<Bucket[]> {
    // The backtest asks for the same two hours every simulated ten seconds; nothing changed in five asks out of six.
    const last = this.last;
    if (last && last.revision === this.revision && last.app === app && last.from === from && last.to === to && last.stepMs === stepMs) {
      return Promise.resolve(last.buckets);
    }
    const start = from - (((from % stepMs) + stepMs) % stepMs);
    const out: Bucket[] = [];
    for (let at = start; at < to; at += stepMs) out.push(this.bucketAt(app, at, stepMs));
    this.last = { app, from, to, stepMs, revision: this.revision, buckets: out };
    return Promise.resolve(out);
  }

  private bucketAt(app: string, at: number, stepMs: number): Bucket {
    if (app !== this.app) return emptyBucket(at);
    if (stepMs === MINUTE_MS) return this.minutes.get(at)?.bucket ?? emptyBucket(at);
    if (stepMs === HOUR_MS) return this.hours.get(at)?.bucket ?? emptyBucket(at);
    // Other steps are sums of minutes; users are summed too (an approximation nothing in detection relies on).
    const merged = emptyBucket(at);
    for (let m = at; m < at + stepMs; m += MINUTE_MS) {
      const b = this.minutes.get(m)?.bucket;
      if (!b) continue;
      addCounts(merged.total, b.total);
      for (const dimension of SLICE_DIMENSIONS) {
        for (const [value, counts] of Object.entries(b.slices[dimension])) {
          addCounts((merged.slices[dimension][value] ??= emptyCounts()), counts);
        }
      }
      for (const [code, n] of Object.entries(b.errorCodes)) merged.errorCodes[code] = (merged.errorCodes[code] ?? 0) + n;
    }
    return merged;
  }

  distinctUsers(
    app: string,
    from: number,
    to: number,
    slice?: { dimension: Dimension; value: string },
  ): Promise<{ users: number; failedUsers: number }> {
    if (app !== this.app) return Promise.resolve({ users: 0, failedUsers: 0 });
    const key = slice ? `${slice.dimension}=${slice.value}` : ALL;
    const users = new Set<string>();
    const failed = new Set<string>();
    let aggregateUsers = 0;
    let aggregateFailed = 0;
    const start = from - (((from % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
    for (let at = start; at < to; at += MINUTE_MS) {
      const stored = this.minutes.get(at);
      if (!stored) continue;
      const counts = countsOf(stored.bucket, slice);
      const sets = stored.sets.get(key);
      if (counts) {
        aggregateUsers += counts.users - (sets?.users.size ?? 0);
        aggregateFailed += counts.failedUsers - (sets?.failed.size ?? 0);
      }
      sets?.users.forEach((u) => users.add(u));
      sets?.failed.forEach((u) => failed.add(u));
    }
    return Promise.resolve({ users: users.size + aggregateUsers, failedUsers: failed.size + aggregateFailed });
  }
}

/** The counts a slice has in a bucket; error codes carry no user counts of their own. */
function countsOf(bucket: Bucket, slice?: { dimension: Dimension; value: string }): Counts | null {
  if (!slice) return bucket.total;
  if (slice.dimension === 'errorCode') return null;
  return bucket.slices[slice.dimension][slice.value] ?? null;
}
