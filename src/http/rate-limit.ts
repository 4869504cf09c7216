import type Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { VigilError, unavailable } from '../errors';

/** Takes one request's token for a key, or throws rate_limited (429) / unavailable (503). */
export type RateLimit = (key: string) => Promise<void>;

/**
 * A fixed-window limit per ingest key, counted in Redis so every API process shares it. The default is generous: it
 * exists to stop a runaway client loop, not to shape normal traffic.
 */
export function createRateLimit(redis: Redis, prefix: string, perSecond = 2000): RateLimit {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:rl:ingest`,
    points: perSecond,
    duration: 1,
    // With Redis away the request would wait for a reconnect; answer 503 at once instead.
    rejectIfRedisNotReady: true,
  });
  return async (key) => {
    try {
      await limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw new VigilError('rate_limited', 'Too many requests for this ingest key', undefined, Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
      }
      // The central error handler logs 5xx with their cause.
      throw Object.assign(unavailable('Redis is unreachable: telemetry cannot be accepted now', 2), { cause: err });
    }
  };
}
