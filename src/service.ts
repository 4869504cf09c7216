import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Worker } from 'bullmq';
import { Registry } from 'prom-client';
import { createAlerting } from './alerts';
import { resolveAdminToken } from './apps/admin-token';
import { KeyResolver } from './apps/key-resolver';
import { AppService } from './apps/service';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { RedisCounters } from './counters/redis';
import type { DetectorState } from './domain/detector/detector';
import { evaluateApp } from './detection/runner';
import { DetectSchedules, LiveDetector } from './detection/live';
import { loadDetectorSettings } from './detection/settings-file';
import { PACKAGE_VERSION } from './package';
import { createHttpApp } from './http/app';
import { FailureLimit, createAuth } from './http/auth';
import { openApiRouter } from './http/openapi';
import { builtDashboardDir } from './http/dashboard';
import { createRateLimit } from './http/rate-limit';
import { createHttpServer } from './http/server';
import { createShed } from './http/shed';
import { ackLinkRouter } from './http/routes/ack-link';
import { appsRouter } from './http/routes/apps';
import { channelsRouter } from './http/routes/channels';
import { eventsRouter } from './http/routes/events';
import { incidentsRouter } from './http/routes/incidents';
import { overviewRouter } from './http/routes/overview';
import { postmortemsRouter } from './http/routes/postmortems';
import { releaseHealthRouter } from './http/routes/release-health';
import { releasesRouter } from './http/routes/releases';
import { seriesRouter } from './http/routes/series';
import { serviceRouter } from './http/routes/service';
import { sessionRouter } from './http/routes/session';
import { silencesRouter } from './http/routes/silences';
import { statusRouter } from './http/routes/status';
import { Sessions } from './http/sessions';
import { PublicStatusCache } from './incidents/public-status';
import { IncidentService } from './incidents/service';
import { createLogger, type Logger } from './logger';
import { createMetrics } from './metrics';
import { checkEvictionPolicy, createRedis, waitForRedis } from './queue/connection';
import { createQueues, oldestWaitingMs, watchQueueDepth } from './queue/queues';
import { PostmortemService } from './postmortems/service';
import { openStores } from './store';
import { createAggregateWorker } from '../workers/aggregate';
import { createDetectWorker } from '../workers/detect';
import { createEscalateWorker } from '../workers/escalate';
import { createNotifyWorker } from '../workers/notify';

export type Mode = 'all' | 'api' | 'worker';

export interface StartOptions {
  config: Config;
  mode: Mode;
  /** The wall clock unless a test or the demo drives time. */
  clock?: Clock;
  logger?: Logger;
}

export interface RunningService {
  /** Base URL of the HTTP listener (API routes in api/all mode; health and metrics in every mode). */
  url: string;
  adminToken: string;
  /** The HTTP listener (its request handler is the express app). */
  server: Server;
  stop(): Promise<void>;
}

/** How often every worker re-reads the app list to schedule detection of apps created by another process. */
const SCHEDULE_SYNC_MS = 30_000;

/**
 * The composition root: the only place that connects, listens and wires the rooms together. `api` serves HTTP and
 * enqueues; `worker` runs the BullMQ processors (and serves health and metrics); `all` is both in one process.
 */
export async function startService(opts: StartOptions): Promise<RunningService> {
  const { config, mode } = opts;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics(new Registry());
  // Closed in reverse order of opening: listeners first, the store last.
  const closers: Array<{ name: string; close: () => Promise<unknown> }> = [];
  const stop = async () => {
    for (const { name, close } of closers.reverse()) {
      try {
        await close();
      } catch (err) {
        logger.warn({ err, closing: name }, 'error while closing');
      }
    }
    closers.length = 0;
  };

  try {
    const settings = loadDetectorSettings(config.detectorConfig);
    const stores = await openStores(config, logger);
    closers.push({ name: 'store', close: () => stores.close() });
    const adminToken = resolveAdminToken(config, logger);

    const producer = createRedis(config, logger, 'producer', `${mode}-producer`);
    closers.push({ name: 'redis producer', close: () => producer.quit() });
    await waitForRedis(producer, config.redisUrl);
    await checkEvictionPolicy(producer, logger);

    const queues = createQueues(producer, config.redisPrefix, logger);
    closers.push({ name: 'queues', close: () => queues.close() });
    watchQueueDepth(queues, metrics);

    const counters = new RedisCounters(producer, config.redisPrefix);
    const alerting = createAlerting({
      stores,
      queues,
      redis: producer,
      redisPrefix: config.redisPrefix,
      adminToken,
      publicUrl: config.publicUrl,
      allowPrivateTargets: config.alertAllowPrivateTargets,
      clock,
      logger,
      metrics,
    });
    const postmortems = new PostmortemService({ postmortems: stores.postmortems, incidents: stores.incidents, clock, logger });
    // Both processes change incidents (the worker from signals, the API from operators), so both tell both listeners.
    const incidents = new IncidentService({
      incidents: stores.incidents,
      listeners: [alerting.listener, postmortems.listener],
      clock,
      logger,
      metrics,
    });
    await incidents.refreshOpenGauge();
    const schedules = new DetectSchedules({
      queue: queues.detect,
      apps: stores.apps,
      everyMs: config.detectEverySeconds * 1000,
      logger,
    });

    if (mode === 'worker' || mode === 'all') {
      const workerRedis = createRedis(config, logger, 'worker', `${mode}-worker`);
      closers.push({ name: 'redis worker', close: () => workerRedis.quit() });
      // The detector reads on the patient connection: a slow read must not fail a run the way it fails a request.
      const detectorCounters = new RedisCounters(workerRedis, config.redisPrefix);
      const live = new LiveDetector<DetectorState>({
        redis: workerRedis,
        prefix: config.redisPrefix,
        evaluate: (input) => evaluateApp({ counters: detectorCounters, settings }, input),
        releases: stores.releases,
        incidents,
        clock,
        logger,
        metrics,
        ingestLag: () => oldestWaitingMs(queues.ingest),
      });
      const processing = { connection: workerRedis, prefix: config.redisPrefix, logger, metrics };
      const workers: Worker[] = [
        createAggregateWorker({ ...processing, clock, limits: config.sliceValueLimits }),
        createDetectWorker({ ...processing, live }),
        createNotifyWorker({ ...processing, deliverer: alerting.deliverer }),
        createEscalateWorker({ ...processing, escalator: alerting.escalator }),
      ];
      // worker.close() waits for active jobs: a SIGTERM drains instead of abandoning half-done work.
      closers.push({ name: 'workers', close: () => Promise.all(workers.map((w) => w.close())) });
      await schedules.sync();
      const stopSync = schedules.syncEvery(SCHEDULE_SYNC_MS);
      closers.push({ name: 'schedule sync', close: async () => stopSync() });
    }

    const routers = [serviceRouter({ redis: producer, stores, metrics })];
    let dashboardDir: string | null = null;
    if (mode === 'api' || mode === 'all') {
      const keys = new KeyResolver(stores.apps, clock);
      const limit = (name: string, points: number, windowSeconds: number, what: string) =>
        createRateLimit(producer, config.redisPrefix, { name, points, windowSeconds, what });
      const failures = new FailureLimit(limit('auth-failures', config.authFailuresPerMinute, 60, 'failed authentications from this address'), clock);
      const sessions = new Sessions({
        redis: producer,
        prefix: config.redisPrefix,
        clock,
        adminToken,
        idleMs: config.sessionIdleMs,
        maxMs: config.sessionMaxMs,
      });
      const auth = createAuth(adminToken, keys, { sessions, failures });
      const apps = new AppService(stores.apps, clock, keys, () => schedules.sync());
      routers.push(
        sessionRouter({ sessions, maxMs: config.sessionMaxMs }),
        overviewRouter({ auth, apps: stores.apps, incidents: stores.incidents, counters, clock }),
        // Before the admin-only apps routes: an app's ingest key may ask about its own releases' health.
        // A CI pipeline polls while a rollout is staged, a few times a minute; more from one key is a loop.
        releaseHealthRouter({ auth, apps, counters, releases: stores.releases, settings, clock, limit: limit('release-health', 120, 60, 'release health checks with this ingest key') }),
        appsRouter({ auth, apps }),
        // Releases come from CI, a few a day: a key registering more than one a second is a loop or abuse.
        releasesRouter({ auth, releases: stores.releases, apps, clock, limit: limit('releases', 60, 60, 'releases registered with this ingest key') }),
        eventsRouter({
          auth,
          jobs: queues,
          redis: producer,
          prefix: config.redisPrefix,
          clock,
          metrics,
          ratePerSecond: config.ingestRatePerSecond,
          shed: createShed({ marks: config.ingestShed, queue: queues.ingest, redis: producer, clock, metrics, logger }),
        }),
        seriesRouter({ auth, apps, counters, clock }),
        // The signed acknowledge link needs no admin token, so it goes before the admin-only incident routes.
        ackLinkRouter({ ackLinks: alerting.ackLinks, incidents: stores.incidents, acknowledger: incidents }),
        incidentsRouter({ auth, incidents }),
        statusRouter({
          auth,
          status: new PublicStatusCache(stores.incidents, clock),
          limit: limit('status', config.statusRatePerSecond, 1, 'status requests for this ingest key'),
        }),
        postmortemsRouter({ auth, postmortems }),
        channelsRouter({ auth, channels: stores.channels, apps, clock, allowPrivateTargets: config.alertAllowPrivateTargets }),
        silencesRouter({ auth, silences: stores.silences, apps, clock }),
      );
      // Describes every router above from the schemas they validate with.
      routers.push(openApiRouter([...routers], PACKAGE_VERSION));
      dashboardDir = builtDashboardDir();
      if (!dashboardDir) logger.warn('the dashboard is not built (npm run build): / serves nothing');
    }
    const port = mode === 'worker' ? config.workerPort : config.port;
    const corsOrigins = mode === 'worker' ? undefined : config.corsOrigins;
    const server: Server = createHttpServer(createHttpApp({ logger, metrics, routers, dashboardDir, corsOrigins })).listen(port, config.host);
    await once(server, 'listening');
    // First in line when stopping: no new requests while the rest drains.
    closers.push({ name: 'http', close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${(server.address() as AddressInfo).port}`;
    logger.info({ mode, url, store: stores.kind, redisPrefix: config.redisPrefix }, 'vigil started');
    return { url, adminToken, server, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
