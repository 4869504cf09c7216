import type { RedisClient } from '../queue/connection';
import { type Bucket, type Counts, type Dimension } from '../domain/types';
import { unavailable } from '../errors';
import { emptyBucket, emptyCounts, minuteOf } from './fold';
import { DIMENSION_OF_CODE, appCountersKey, field, hllKey, hourKey, minuteKey, type Measure } from './keys';
import { HOUR_MS, MINUTE_MS, type CounterSource } from './ports';
import { defineCounterScripts } from './scripts';

/** Bounds the time one script holds Redis: a day of minute buckets per call. */
const KEYS_PER_SCRIPT = 1440;

/**
 * The live counters in Redis (written by ./writer.ts, layout in ./keys.ts), read by the detector every few seconds per app and
 * by GET /v1/apps/:id/series. Each call is one pipeline, one round trip.
 */
export class RedisCounters implements CounterSource {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    defineCounterScripts(redis);
  }

  async buckets(app: string, from: number, to: number, stepMs: number): Promise<Bucket[]> {
    if (!Number.isInteger(stepMs) || stepMs <= 0 || stepMs % MINUTE_MS !== 0) {
      throw new RangeError(`stepMs must be a positive multiple of a minute (got ${stepMs})`);
    }
    const start = from - (((from % stepMs) + stepMs) % stepMs);
    const count = Math.max(0, Math.ceil((to - start) / stepMs));
    if (count === 0) return [];
    const unit = stepMs % HOUR_MS === 0 ? HOUR_MS : MINUTE_MS;
    const perBucket = stepMs / unit;
    const appKey = appCountersKey(this.prefix, app);
    const keyOf = unit === HOUR_MS ? hourKey : minuteKey;
    const keys: string[] = [];
    for (let i = 0; i < count * perBucket; i++) keys.push(keyOf(appKey, start + i * unit));

    const bucketsPerScript = Math.max(1, Math.floor(KEYS_PER_SCRIPT / perBucket));
    const pipeline = this.redis.pipeline();
    for (let b = 0; b < count; b += bucketsPerScript) {
      const chunk = keys.slice(b * perBucket, Math.min(count, b + bucketsPerScript) * perBucket);
      pipeline.vigilReadBuckets(chunk.length, ...chunk, perBucket, unit === HOUR_MS ? 1 : 0);
    }
    const replies = await execOrThrow(pipeline);
    const buckets: Bucket[] = [];
    for (const reply of replies) {
      if (!Array.isArray(reply)) throw new Error('vigilReadBuckets: unexpected reply');
      for (let i = 0; i < reply.length; i += 2) {
        buckets.push(toBucket(start + buckets.length * stepMs, pairs(reply[i]), pairs(reply[i + 1])));
      }
    }
    return buckets;
  }

  async distinctUsers(
    app: string,
    from: number,
    to: number,
    slice?: { dimension: Dimension; value: string },
  ): Promise<{ users: number; failedUsers: number }> {
    const appKey = appCountersKey(this.prefix, app);
    const keys = coveringKeys(appKey, from, to);
    if (keys.length === 0) return { users: 0, failedUsers: 0 };
    // Hourly roll-ups keep the whole app's users only: a slice's are the union of its minutes.
    const hllBuckets = slice ? minuteKeys(appKey, from, to) : keys;
    const scoped = (measure: Measure) => (slice ? field(measure, slice.dimension, slice.value) : measure);
    // Per error code only failed users are known (aggregates report codes without users): both numbers are those.
    const usersField = slice?.dimension === 'errorCode' ? scoped('fu') : scoped('u');
    const failedField = scoped('fu');
    const pipeline = this.redis.pipeline();
    pipeline.pfcount(...hllBuckets.map((k) => hllKey(k, usersField)));
    pipeline.pfcount(...hllBuckets.map((k) => hllKey(k, failedField)));
    for (const k of keys) pipeline.hmget(k, usersField, failedField);
    const [hllUsers, hllFailed, ...sums] = await execOrThrow(pipeline);
    let users = Number(hllUsers);
    let failedUsers = Number(hllFailed);
    // errorCode scopes have no aggregate user fields: HMGET returns nulls, which add nothing.
    for (const sum of sums) {
      const [u, fu] = sum as Array<string | null>;
      users += Number(u ?? 0);
      failedUsers += Number(fu ?? 0);
    }
    return { users, failedUsers };
  }
}

/** The fewest bucket keys covering [from, to): whole hours as hourly roll-ups, the ragged edges as minutes. */
function coveringKeys(appKey: string, from: number, to: number): string[] {
  const keys: string[] = [];
  let at = minuteOf(from);
  while (at < to) {
    if (at % HOUR_MS === 0 && at + HOUR_MS <= to) {
      keys.push(hourKey(appKey, at));
      at += HOUR_MS;
    } else {
      keys.push(minuteKey(appKey, at));
      at += MINUTE_MS;
    }
  }
  return keys;
}

function minuteKeys(appKey: string, from: number, to: number): string[] {
  const keys: string[] = [];
  for (let at = minuteOf(from); at < to; at += MINUTE_MS) keys.push(minuteKey(appKey, at));
  return keys;
}

/**
 * Runs a pipeline; a Redis that cannot be reached becomes `unavailable` (503 + Retry-After for a chart, a skipped
 * evaluation for the detector), while an error Redis itself replied with (a script bug) stays what it is.
 */
async function execOrThrow(pipeline: ReturnType<RedisClient['pipeline']>): Promise<unknown[]> {
  let results: Awaited<ReturnType<typeof pipeline.exec>>;
  try {
    results = await pipeline.exec();
  } catch (err) {
    throw unreachable(err);
  }
  return (results ?? []).map(([err, value]) => {
    if (err) throw err.name === 'ReplyError' ? err : unreachable(err);
    return value;
  });
}

const unreachable = (cause: unknown) =>
  Object.assign(unavailable('Redis is unreachable: login counters cannot be read now', 2), { cause });

function pairs(reply: unknown): Map<string, number> {
  const map = new Map<string, number>();
  if (!Array.isArray(reply)) return map;
  for (let i = 0; i < reply.length; i += 2) map.set(String(reply[i]), Number(reply[i + 1]));
  return map;
}

function toBucket(at: number, fields: Map<string, number>, users: Map<string, number>): Bucket {
  const bucket = emptyBucket(at);
  for (const [name, n] of fields) {
    const [measure, code, value] = name.split('|') as [Measure, string?, string?];
    const dimension = code === undefined ? undefined : DIMENSION_OF_CODE[code];
    if (dimension === 'errorCode') {
      if (measure === 'f') bucket.errorCodes[value!] = n;
      continue;
    }
    const counts: Counts = dimension === undefined ? bucket.total : (bucket.slices[dimension][value!] ??= emptyCounts());
    const scope = name.slice(measure.length);
    if (measure === 'a') {
      counts.attempts += n;
      counts.users += users.get(`u${scope}`) ?? 0;
    } else if (measure === 'f') {
      counts.failures += n;
      counts.failedUsers += users.get(`fu${scope}`) ?? 0;
    } else if (measure === 'u') counts.users += n;
    else if (measure === 'fu') counts.failedUsers += n;
  }
  return bucket;
}
