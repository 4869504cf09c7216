/**
 * The aggregation worker's processor: folds one `ingest-batch` job into the login counters.
 *
 * Key layout (all under `${REDIS_PREFIX}:c:{<app>}`, names built in ./counter-keys.ts):
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
 *
 * A batch is pre-aggregated in JS (./fold-batch.ts), then applied by ONE Lua script that sets the job's done-marker
 * and every increment atomically: a redelivered job (worker crash after the script, before the ack) finds the marker
 * and changes nothing. EXPIRE is refreshed on every key written, so a bucket lives its TTL after its last write.
 */
import type Redis from 'ioredis';
import type { Result } from 'ioredis';
import type { Clock } from '../clock';
import type { SliceValueLimits } from '../config';
import { HOUR_MS } from '../counters/ports';
import type { Dimension } from '../domain/types';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { IngestBatchJob } from '../queue/names';
import {
  DIMENSION_CODES,
  DIMENSION_OF_CODE,
  DONE_MARKER_TTL_SECONDS,
  HOUR_TTL_SECONDS,
  MINUTE_TTL_SECONDS,
  appCountersKey,
  doneKey,
  hourKey,
  minuteKey,
} from './counter-keys';
import { foldBatch, type BatchDelta, type BucketDelta } from './fold-batch';
import { checkJob } from './job-guard';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** KEYS: done-marker, bucket hashes…; see FOLD_BATCH_LUA for ARGV. [0] = already done, [1, folded, first] = applied. */
    vigilFoldBatch(numKeys: number, ...keysAndArgs: Array<string | number>): Result<FoldReply, Context>;
  }
}

/** `[1, [dimension code, logins folded into "other", …], [dimension code, hour, …]]`, or `[0]` for a redelivery. */
type FoldReply = [0] | [1, Array<string | number>, Array<string | number>];

/**
 * ARGV: markerTtl, the app's key prefix, the TTL of the per-hour value sets, the number of limits and per limit a
 * dimension code and its count; then per bucket hash (KEYS order after the marker): ttl, hour start, 1 for a minute
 * bucket (0 for an hourly roll-up), field count, field, increment, …, user-field count, user field, user ids joined
 * by newlines, …. One argument per HyperLogLog instead of one per id: a batch's ids appear in ~10 HyperLogLogs, and
 * per-argument encoding was the worker's largest cost.
 *
 * Slice values are admitted per app, hour and dimension into a set (`…:s:<hour>:<code>`) until it holds the limit;
 * a later value of that hour is counted as `other`, in its minutes and in the hourly roll-up alike. The decision is
 * taken inside this script, atomically with the done-marker, so a job folds exactly once and concurrent jobs cannot
 * overshoot a limit. HyperLogLog and value-set keys are derived from declared keys and the app prefix: all carry the
 * app's hash tag, so the script stays in one cluster slot (as the read script does).
 */
const FOLD_BATCH_LUA = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return {0} end
local app, valuesTtl = ARGV[2], ARGV[3]
local limits = {}
local a = 5
for _ = 1, tonumber(ARGV[4]) do
  limits[ARGV[a]] = tonumber(ARGV[a + 1])
  a = a + 2
end
local admitted, folded, first = {}, {}, {}

local function admit(hour, d, value)
  local id = hour .. '|' .. d .. '|' .. value
  local ok = admitted[id]
  if ok ~= nil then return ok end
  local set = app .. ':s:' .. hour .. ':' .. d
  ok = redis.call('SISMEMBER', set, value) == 1
  if not ok and redis.call('SCARD', set) < limits[d] then
    redis.call('SADD', set, value)
    redis.call('EXPIRE', set, valuesTtl)
    ok = true
  end
  if not ok then
    local over = app .. ':s:' .. hour .. ':over'
    if redis.call('HINCRBY', over, d, 1) == 1 then
      first[#first + 1] = d
      first[#first + 1] = hour
    end
    redis.call('EXPIRE', over, valuesTtl)
  end
  admitted[id] = ok
  return ok
end

-- The name a field or HyperLogLog is counted under, and the dimension code when its value went to "other".
local function counted(hour, name)
  local measure, d, value = string.match(name, '^(%a+)|(%a)|(.+)$')
  if not d or not limits[d] or value == 'other' or admit(hour, d, value) then return name, nil end
  return measure .. '|' .. d .. '|other', d
end

for k = 2, #KEYS do
  local ttl, hour, minute, n = ARGV[a], ARGV[a + 1], ARGV[a + 2] == '1', tonumber(ARGV[a + 3])
  a = a + 4
  for _ = 1, n do
    local name, d = counted(hour, ARGV[a])
    redis.call('HINCRBY', KEYS[k], name, ARGV[a + 1])
    -- Logins folded, counted once (minutes, not their roll-up): attempts, or failures for error codes.
    if d and minute and string.sub(name, 1, 2) == (d == 'e' and 'f|' or 'a|') then
      folded[d] = (folded[d] or 0) + tonumber(ARGV[a + 1])
    end
    a = a + 2
  end
  redis.call('EXPIRE', KEYS[k], ttl)
  n = tonumber(ARGV[a])
  a = a + 1
  for _ = 1, n do
    local hll = KEYS[k] .. '|' .. counted(hour, ARGV[a])
    local ids = {}
    for id in string.gmatch(ARGV[a + 1], '[^\\n]+') do ids[#ids + 1] = id end
    redis.call('PFADD', hll, unpack(ids))
    redis.call('EXPIRE', hll, ttl)
    a = a + 2
  end
end
local out = {}
for d, n in pairs(folded) do
  out[#out + 1] = d
  out[#out + 1] = n
end
return {1, out, first}
`;

export interface AggregatorDeps {
  /** A patient ("worker" role) connection: a Redis restart delays the fold instead of failing it. */
  redis: Redis;
  prefix: string;
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
  /** Distinct values per app, dimension and hour before later ones count as `other`. */
  limits: SliceValueLimits;
}

/** Value sets are needed while their hour still takes events: up to 24 h after it ended, plus clock skew. */
const VALUE_SET_TTL_SECONDS = 26 * 3600;

export class Aggregator {
  private readonly redis: Redis;
  private readonly limitArgs: Array<string | number>;

  constructor(private readonly deps: AggregatorDeps) {
    this.redis = deps.redis;
    // Idempotent: several processors may share one connection.
    this.redis.defineCommand('vigilFoldBatch', { lua: FOLD_BATCH_LUA });
    const limits = Object.entries(deps.limits) as Array<[Dimension, number]>;
    this.limitArgs = [limits.length, ...limits.flatMap(([dimension, n]) => [DIMENSION_CODES[dimension], n])];
  }

  /** Folds one job; `false` when this job id was already folded (a redelivery). */
  async process(jobId: string, data: unknown): Promise<boolean> {
    const job = checkJob(data);
    if (job.events.length === 0) return false;
    const delta = foldBatch(job.events);
    const appKey = appCountersKey(this.deps.prefix, job.app);
    const { keys, args } = encode(appKey, jobId, delta);
    const reply = await this.redis.vigilFoldBatch(keys.length, ...keys, DONE_MARKER_TTL_SECONDS, appKey, VALUE_SET_TTL_SECONDS, ...this.limitArgs, ...args);
    if (reply[0] === 0) return false;
    this.record(job, delta, reply);
    return true;
  }

  private record(job: IngestBatchJob, delta: BatchDelta, [, folded, first]: Exclude<FoldReply, [0]>): void {
    const { metrics, clock, logger } = this.deps;
    for (const [platform, counts] of delta.byPlatform) {
      metrics.loginAttempts.inc({ app: job.app, platform }, counts.attempts);
      metrics.loginFailures.inc({ app: job.app, platform }, counts.failures);
    }
    for (let i = 0; i < folded.length; i += 2) {
      metrics.sliceValuesFolded.inc({ app: job.app, dimension: DIMENSION_OF_CODE[folded[i]!]! }, Number(folded[i + 1]));
    }
    // Once per app, dimension and hour (the script reports the first fold of each), however many jobs follow.
    for (let i = 0; i < first.length; i += 2) {
      const dimension = DIMENSION_OF_CODE[first[i]!]!;
      logger.warn(
        { app: job.app, dimension, hour: new Date(Number(first[i + 1])).toISOString(), limit: this.deps.limits[dimension as keyof SliceValueLimits] },
        'distinct slice values past the hourly limit: later values of this hour are counted as "other"',
      );
    }
    metrics.aggregateLag.observe(Math.max(0, clock.now() - job.receivedAt) / 1000);
  }
}

function encode(appKey: string, jobId: string, delta: BatchDelta): { keys: string[]; args: Array<string | number> } {
  const keys = [doneKey(appKey, jobId)];
  const args: Array<string | number> = [];
  const push = (key: string, d: BucketDelta, ttl: number, hour: number, minute: boolean) => {
    keys.push(key);
    args.push(ttl, hour, minute ? 1 : 0, d.fields.size);
    for (const [name, n] of d.fields) args.push(name, n);
    args.push(d.users.size);
    for (const [userField, ids] of d.users) args.push(userField, [...ids].join('\n'));
  };
  for (const [minute, d] of delta.minutes) push(minuteKey(appKey, minute), d, MINUTE_TTL_SECONDS, minute - (minute % HOUR_MS), true);
  for (const [hour, d] of delta.hours) push(hourKey(appKey, hour), d, HOUR_TTL_SECONDS, hour, false);
  return { keys, args };
}
