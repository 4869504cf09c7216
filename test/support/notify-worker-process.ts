import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { createAlerting } from '../../src/alerts';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { createQueues } from '../../src/queue/queues';
import { openStores } from '../../src/store';
import { createNotifyWorker } from '../../workers/notify';

/**
 * The notify worker alone in a process of its own, so a test can SIGKILL it mid-delivery. Settings come from the
 * environment like the real service (REDIS_URL, REDIS_PREFIX, DATA_DIR, ADMIN_TOKEN, ALERT_ALLOW_PRIVATE_TARGETS); locks are short so the killed
 * worker's job is found stalled within a second or two. Prints "ready" once it takes jobs.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('warn');
  const stores = await openStores(config, logger);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const queues = createQueues(redis, config.redisPrefix, logger);
  const metrics = createMetrics(new Registry(), { defaultMetrics: false });
  const alerting = createAlerting({
    stores,
    queues,
    redis,
    redisPrefix: config.redisPrefix,
    adminToken: config.adminToken ?? '',
    publicUrl: config.publicUrl,
    allowPrivateTargets: config.alertAllowPrivateTargets,
    clock: systemClock,
    logger,
    metrics,
  });
  const worker = createNotifyWorker({
    connection: new Redis(config.redisUrl, { maxRetriesPerRequest: null }),
    prefix: config.redisPrefix,
    deliverer: alerting.deliverer,
    logger,
    metrics,
    tuning: { lockDuration: 1000, stalledInterval: 500 },
  });
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void worker
      .close()
      .then(() => Promise.all([queues.close(), stores.close()]))
      .finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`notify worker process failed: ${String(err)}\n`);
  process.exit(1);
});
