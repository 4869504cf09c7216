import type { RedisClient } from '../queue/connection';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { VigilError, unavailable } from '../errors';

/** Spends one request of `key`, or throws rate_limited (429) / unavailable (503). */
export type RateLimit = (key: string) => Promise<void>;

export interface RateLimitOptions {
  /** Names the counters in Redis (`<prefix>:rl:<name>:<key>`) and the limit in messages. */
  name: string;
  /** Requests allowed per key and window. */
  points: number;
  windowSeconds: number;
  /** What a 429 says is limited, e.g. "requests for this ingest key". */
  what: string;
}

/**
 * A fixed-window limit counted in Redis, so every API process shares it. Each call spends one request of `key` or throws
 * rate_limited (429 + Retry-After); with Redis away, unavailable (503) at once rather than a wait for a reconnect.
 */
export function createRateLimit(redis: RedisClient, prefix: string, opts: RateLimitOptions): RateLimit {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:rl:${opts.name}`,
    points: opts.points,
    duration: opts.windowSeconds,
    rejectIfRedisNotReady: true,
  });
  const limited = (msBeforeNext: number) =>
    new VigilError('rate_limited', `Too many ${opts.what}`, undefined, Math.max(1, Math.ceil(msBeforeNext / 1000)));
  const redisDown = (cause: unknown) =>
    // The central error handler logs 5xx with their cause.
    Object.assign(unavailable('Redis is unreachable: the request cannot be served now', 2), { cause });

  return async (key) => {
    try {
      await limiter.consume(key);
    } catch (err) {
      throw err instanceof RateLimiterRes ? limited(err.msBeforeNext) : redisDown(err);
    }
  };
}
