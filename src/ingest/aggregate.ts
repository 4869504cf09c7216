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
 *
 * Distinct users of a bucket or slice = PFCOUNT of its `u` HyperLogLog + its summed `u` field; over a range of minutes,
 * the PFCOUNT of their HyperLogLogs together (a union).
 *
 * A batch is pre-aggregated in JS (./fold-batch.ts), then applied by ONE Lua script that sets the job's done-marker
 * and every increment atomically: a redelivered job (worker crash after the script, before the ack) finds the marker
 * and changes nothing. EXPIRE is refreshed on every key written, so a bucket lives its TTL after its last write.
 */
import type { RedisClient } from '../queue/connection';
import type { Result } from 'ioredis';
import type { Clock } from '../clock';
import type { Metrics } from '../metrics';
import type { IngestBatchJob } from '../queue/names';
import {
  DONE_MARKER_TTL_SECONDS,
  HOUR_TTL_SECONDS,
  MINUTE_TTL_SECONDS,
  appCountersKey,
  doneKey,
  hllKey,
  hourKey,
  minuteKey,
} from './counter-keys';
import { foldBatch, type BatchDelta, type BucketDelta } from './fold-batch';
import { checkJob } from './job-guard';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** KEYS: done-marker, hashes…, HyperLogLogs…; see FOLD_BATCH_LUA for ARGV. 1 = applied, 0 = already done. */
    vigilFoldBatch(numKeys: number, ...keysAndArgs: Array<string | number>): Result<number, Context>;
  }
}

/**
 * ARGV: markerTtl, hashCount, then per hash: ttl, fieldCount, field, increment, …; then per HyperLogLog: ttl and its
 * user ids joined by newlines (hashes and HyperLogLogs in KEYS order after the marker). One argument per
 * HyperLogLog instead of one per id: a batch's ids appear in ~10 HyperLogLogs, and per-argument encoding was the
 * worker's largest cost.
 */
const FOLD_BATCH_LUA = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local hashes = tonumber(ARGV[2])
local a = 3
for k = 2, hashes + 1 do
  local ttl, n = ARGV[a], tonumber(ARGV[a + 1])
  a = a + 2
  for _ = 1, n do
    redis.call('HINCRBY', KEYS[k], ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  redis.call('EXPIRE', KEYS[k], ttl)
end
for k = hashes + 2, #KEYS do
  local ids = {}
  for id in string.gmatch(ARGV[a + 1], '[^\\n]+') do ids[#ids + 1] = id end
  redis.call('PFADD', KEYS[k], unpack(ids))
  redis.call('EXPIRE', KEYS[k], ARGV[a])
  a = a + 2
end
return 1
`;

export interface AggregatorDeps {
  /** A patient ("worker" role) connection: a Redis restart delays the fold instead of failing it. */
  redis: RedisClient;
  prefix: string;
  clock: Clock;
  metrics: Metrics;
}

export class Aggregator {
  private readonly redis: RedisClient;

  constructor(private readonly deps: AggregatorDeps) {
    this.redis = deps.redis;
    // Idempotent: several processors may share one connection.
    this.redis.defineCommand('vigilFoldBatch', { lua: FOLD_BATCH_LUA });
  }

  /** Folds one job; `false` when this job id was already folded (a redelivery). */
  async process(jobId: string, data: unknown): Promise<boolean> {
    const job = checkJob(data);
    if (job.events.length === 0) return false;
    const delta = foldBatch(job.events);
    const { keys, args } = encode(appCountersKey(this.deps.prefix, job.app), jobId, delta);
    const applied = (await this.redis.vigilFoldBatch(keys.length, ...keys, ...args)) === 1;
    if (applied) this.record(job, delta);
    return applied;
  }

  private record(job: IngestBatchJob, delta: BatchDelta): void {
    const { metrics, clock } = this.deps;
    for (const [platform, counts] of delta.byPlatform) {
      metrics.loginAttempts.inc({ app: job.app, platform }, counts.attempts);
      metrics.loginFailures.inc({ app: job.app, platform }, counts.failures);
    }
    metrics.aggregateLag.observe(Math.max(0, clock.now() - job.receivedAt) / 1000);
  }
}

function encode(appKey: string, jobId: string, delta: BatchDelta): { keys: string[]; args: Array<string | number> } {
  const buckets: Array<[string, BucketDelta, number]> = [];
  for (const [minute, d] of delta.minutes) buckets.push([minuteKey(appKey, minute), d, MINUTE_TTL_SECONDS]);
  for (const [hour, d] of delta.hours) buckets.push([hourKey(appKey, hour), d, HOUR_TTL_SECONDS]);

  const keys = [doneKey(appKey, jobId)];
  const args: Array<string | number> = [DONE_MARKER_TTL_SECONDS, buckets.length];
  for (const [key, d, ttl] of buckets) {
    keys.push(key);
    args.push(ttl, d.fields.size);
    for (const [name, n] of d.fields) args.push(name, n);
  }
  for (const [key, d, ttl] of buckets) {
    for (const [userField, ids] of d.users) {
      keys.push(hllKey(key, userField));
      args.push(ttl, [...ids].join('\n'));
    }
  }
  return { keys, args };
}
