import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../logger';

/**
 * One Redis server, or a Redis Cluster (REDIS_CLUSTER_NODES). Everything that talks to Redis takes either: every
 * multi-key command and script keeps its keys in one slot (hash tags: `{app}` for an app's counters and detector
 * keys, a tagged prefix per BullMQ queue), so the same code runs on both.
 */
export type RedisClient = Redis | Cluster;

/** Capped backoff: outages are reported by /readyz and 503s, not by crashing. */
const retryStrategy = (times: number) => Math.min(times * 200, 2000);

/**
 * BullMQ's key prefix for one queue. On a cluster, a hash tag per queue (BullMQ's "Redis Cluster" guide): each queue's
 * scripts touch one slot, and the queues spread over the masters instead of sharing one.
 */
export function queuePrefix(redis: RedisClient, prefix: string, queue: string): string {
  return redis.isCluster ? `{${prefix}:${queue}}` : prefix;
}

/** The masters to ask about memory and the like: the server itself, or every master of the cluster. */
export function masters(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/**
 * Two kinds of Redis connection, as BullMQ's production guide recommends:
 * - `producer`: fail fast. No offline queue and one retry, so an HTTP request answers 503 at once when Redis is down
 *   instead of hanging, and nothing is "accepted" that is not in Redis. A command timeout covers the Redis that is
 *   there but does not answer (SIGSTOP, swapping, a half-open connection): the socket stays open, so only a timer
 *   notices. A timed-out command may still run once Redis wakes up, which is why retries carry an Idempotency-Key.
 * - `worker`: patient. `maxRetriesPerRequest: null` and no command timeout let blocking worker commands ride out a
 *   Redis restart or freeze: a worker that gave up on a command could lose track of the job it holds.
 */
export function createRedis(config: Config, logger: Logger, role: 'producer' | 'worker', name: string): RedisClient {
  const options: RedisOptions =
    role === 'producer'
      ? {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          commandTimeout: config.redisCommandTimeoutMs,
          connectionName: `vigil-${name}`,
        }
      : { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: `vigil-${name}` };
  const redis: RedisClient = config.redisClusterNodes
    ? new Cluster([...config.redisClusterNodes], {
        redisOptions: options,
        // The producer's "fail fast" holds for the cluster's own queue too (commands before the slots are known).
        enableOfflineQueue: role === 'worker',
        clusterRetryStrategy: retryStrategy,
      })
    : new Redis(config.redisUrl, { ...options, retryStrategy });
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
export async function waitForRedis(redis: RedisClient, url: string, timeoutMs = 10_000): Promise<void> {
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

/** Warns about a Redis that may evict BullMQ's keys: jobs and counters need maxmemory-policy noeviction. */
export async function checkEvictionPolicy(redis: RedisClient, logger: Logger): Promise<void> {
  for (const server of masters(redis)) {
    const reply = (await server.config('GET', 'maxmemory-policy'));
    const policy = reply[1];
    if (policy && policy !== 'noeviction') {
      logger.warn({ policy, server: `${server.options.host}:${server.options.port}` }, 'Redis maxmemory-policy is not noeviction: queued jobs and counters may be evicted under memory pressure');
    }
  }
}
