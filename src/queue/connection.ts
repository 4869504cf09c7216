import Redis, { type RedisOptions } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../logger';

/**
 * Two kinds of Redis connection, as BullMQ's production guide recommends:
 * - `producer`: fail fast. No offline queue and one retry, so an HTTP request answers 503 at once when Redis is down
 *   instead of hanging, and nothing is "accepted" that is not in Redis.
 * - `worker`: patient. `maxRetriesPerRequest: null` lets blocking worker commands ride out a Redis restart.
 */
export function createRedis(config: Config, logger: Logger, role: 'producer' | 'worker', name: string): Redis {
  const options: RedisOptions =
    role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, connectionName: `vigil-${name}` }
      : { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: `vigil-${name}` };
  const redis = new Redis(config.redisUrl, {
    ...options,
    // Keep reconnecting with a capped backoff; outages are reported by /readyz and 503s, not by crashing.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let lastError = '';
  redis.on('error', (err: Error) => {
    // ioredis repeats the same error on every reconnect attempt; log each distinct one once.
    if (err.message !== lastError) logger.warn({ err, redis: name }, 'redis connection error');
    lastError = err.message;
  });
  redis.on('ready', () => {
    if (lastError) logger.info({ redis: name }, 'redis connection restored');
    lastError = '';
  });
  return redis;
}

/** Waits until the connection is usable, or fails with a readable message. For start-up only. */
export async function waitForRedis(redis: Redis, url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (redis.status === 'ready') {
        await redis.ping();
        return;
      }
    } catch {
      // fall through to the retry below
    }
    if (Date.now() > deadline) throw new Error(`Redis at ${url} did not answer within ${timeoutMs / 1000}s — is it running?`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Refuses to run on a Redis that may evict BullMQ's keys (DESIGN.md: noeviction). */
export async function checkEvictionPolicy(redis: Redis, logger: Logger): Promise<void> {
  const reply = (await redis.config('GET', 'maxmemory-policy'));
  const policy = reply[1];
  if (policy && policy !== 'noeviction') {
    logger.warn({ policy }, 'Redis maxmemory-policy is not noeviction: queued jobs and counters may be evicted under memory pressure');
  }
}
