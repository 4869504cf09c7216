import Redis from 'ioredis';

/** Fails the run at once, with the fix, when Redis is not there: every integration test needs it. */
export default async function globalSetup(): Promise<void> {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Tests need Redis at ${url} (start it with: redis-server --daemonize yes): ${String(err)}`, {
      cause: err,
    });
  } finally {
    redis.disconnect();
  }
  if (!process.env.MONGODB_URL) {
    console.log('\n[vigil] MONGODB_URL is not set: the MongoDB half of the store contract suite is SKIPPED.\n');
  }
}
