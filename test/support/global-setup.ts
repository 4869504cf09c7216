import Redis from 'ioredis';
import { FERRETDB_VERSION, findFerretDb, startFerretDb } from './ferretdb';


/** Fails the run at once, with the fix, when Redis is not there: every integration test needs it. */
async function checkRedis(): Promise<void> {
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
}

/**
 * The MongoDB half of the suite runs against MONGODB_URL when given, else against a FerretDB started here for the
 * whole run when scripts/ferretdb.sh has built one. The test workers are forked after this, so they inherit the
 * variables set here (and the reason when there is no server). FerretDB's URL goes in a variable of its own, read by
 * test/support/mongo.ts: in MONGODB_URL it would also reach the tests that start Vigil processes with the
 * environment they were given, and move them off the embedded store they set up.
 */
async function provideMongo(): Promise<void> {
  if (process.env.MONGODB_URL) {
    console.log('\n[vigil] MongoDB tests run against MONGODB_URL.\n');
    return;
  }
  const found = findFerretDb();
  if ('missing' in found) {
    process.env.VIGIL_TEST_MONGODB_SKIPPED = found.missing;
    console.log(`\n[vigil] ${found.missing}: the MongoDB tests are SKIPPED.\n`);
    return;
  }
  const ferret = await startFerretDb();
  globalThis.vigilFerretDb = ferret;
  process.env.VIGIL_TEST_MONGODB_URL = ferret.url;
  process.env.VIGIL_TEST_MONGODB_SERVER = FERRETDB_VERSION;
  console.log(`\n[vigil] MongoDB tests run against ${FERRETDB_VERSION} at ${ferret.url}\n`);
}

export default async function globalSetup(): Promise<void> {
  await checkRedis();
  await provideMongo();
}
