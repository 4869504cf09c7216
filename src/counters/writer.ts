import type { RedisClient } from '../queue/connection';
import type { SliceValueLimits } from '../config';
import type { Dimension } from '../domain/types';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import {
  DIMENSION_CODES,
  DIMENSION_OF_CODE,
  DONE_MARKER_TTL_SECONDS,
  HOUR_TTL_SECONDS,
  MINUTE_TTL_SECONDS,
  VALUE_SET_TTL_SECONDS,
  appCountersKey,
  doneKey,
  hourKey,
  minuteKey,
} from './keys';
import { rollUp } from './delta';
import { HOUR_MS, type BucketDelta, type CounterDelta, type CounterWriter } from './ports';
import { defineCounterScripts, type ApplyReply } from './scripts';

export interface RedisCounterWriterDeps {
  /** A patient ("worker" role) connection: a Redis restart delays the fold instead of failing it. */
  redis: RedisClient;
  prefix: string;
  metrics: Metrics;
  logger: Logger;
  /** Distinct values per app, dimension and hour before later ones count as `other`. */
  limits: SliceValueLimits;
}

/**
 * Writes deltas into the Redis counters (layout in ./keys.ts): one lua/apply-delta.lua call per job, which sets the
 * job's done-marker and applies every increment atomically, and decides which slice values count as `other`.
 */
export class RedisCounterWriter implements CounterWriter {
  private readonly limitArgs: Array<string | number>;

  constructor(private readonly deps: RedisCounterWriterDeps) {
    defineCounterScripts(deps.redis);
    const limits = Object.entries(deps.limits) as Array<[Dimension, number]>;
    this.limitArgs = [limits.length, ...limits.flatMap(([dimension, n]) => [DIMENSION_CODES[dimension], n])];
  }

  async apply(jobId: string, app: string, delta: CounterDelta): Promise<boolean> {
    const appKey = appCountersKey(this.deps.prefix, app);
    const { keys, args } = encode(appKey, jobId, delta);
    const head = [DONE_MARKER_TTL_SECONDS, appKey, VALUE_SET_TTL_SECONDS, ...this.limitArgs];
    const reply = await this.deps.redis.vigilApplyDelta(keys.length, ...keys, ...head, ...args);
    if (reply[0] === 0) return false;
    this.report(app, reply);
    return true;
  }

  private report(app: string, [, folded, first]: Exclude<ApplyReply, [0]>): void {
    const { metrics, logger, limits } = this.deps;
    for (let i = 0; i < folded.length; i += 2) {
      metrics.sliceValuesFolded.inc({ app, dimension: DIMENSION_OF_CODE[folded[i]!]! }, Number(folded[i + 1]));
    }
    // Once per app, dimension and hour (the script reports the first fold of each), however many jobs follow.
    for (let i = 0; i < first.length; i += 2) {
      const dimension = DIMENSION_OF_CODE[first[i]!] as keyof SliceValueLimits;
      logger.warn(
        { app, dimension, hour: new Date(Number(first[i + 1])).toISOString(), limit: limits[dimension] },
        'distinct slice values past the hourly limit: later values of this hour are counted as "other"',
      );
    }
  }
}

/** KEYS and the per-bucket ARGV of lua/apply-delta.lua: the minutes, then their hourly roll-ups. */
function encode(appKey: string, jobId: string, delta: CounterDelta): { keys: string[]; args: Array<string | number> } {
  const keys = [doneKey(appKey, jobId)];
  const args: Array<string | number> = [];
  const push = (key: string, d: BucketDelta, ttl: number, minute: boolean) => {
    const fields = Object.entries(d.fields);
    const users = Object.entries(d.users);
    keys.push(key);
    args.push(ttl, d.at - (d.at % HOUR_MS), minute ? 1 : 0, fields.length);
    for (const [name, n] of fields) args.push(name, n);
    args.push(users.length);
    for (const [userField, ids] of users) args.push(userField, ids);
  };
  for (const d of delta.minutes) push(minuteKey(appKey, d.at), d, MINUTE_TTL_SECONDS, true);
  for (const d of rollUp(delta)) push(hourKey(appKey, d.at), d, HOUR_TTL_SECONDS, false);
  return { keys, args };
}
