import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DetectSchedules, detectSchedulerId, LiveDetector, type EvaluateApp } from '../../src/detection/live';
import type { Signal } from '../../src/domain/detector/signals';
import { createLogger } from '../../src/logger';
import { QUEUES, type DetectAppJob } from '../../src/queue/names';
import { oldestWaitingMs } from '../../src/queue/queues';
import { createDetectWorker } from '../../workers/detect';
import { deletePrefix, TEST_REDIS_URL, testPrefix } from '../support/redis';
import { incidentHarness, signal, T0, uniqueApp, type IncidentHarness } from './incident-fixtures';

interface CountState {
  runs: number;
}

const logger = createLogger('silent');

describe('live detection on Redis and the embedded store', () => {
  const prefix = testPrefix('incident-live');
  let redis: Redis;
  let h: IncidentHarness;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    h = await incidentHarness('incident-live');
  });
  afterAll(async () => {
    await h.close();
    redis.disconnect();
    await deletePrefix(prefix);
  });

  const detector = (evaluate: EvaluateApp<CountState>) =>
    new LiveDetector<CountState>({
      redis,
      prefix,
      evaluate,
      releases: h.stores.releases,
      incidents: h.service,
      clock: h.clock,
      logger,
      metrics: h.metrics,
    });

  const evaluations = async (outcome: string) =>
    (await h.metrics.detectorEvaluations.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;

  it('when an app is evaluated twice, then the second run gets the state the first saved, and signals become incidents', async () => {
    const app = uniqueApp();
    const seen: Array<CountState | null> = [];
    const live = detector(async ({ state, now }) => {
      seen.push(state);
      const signals: Signal[] = state ? [] : [signal('open', now)];
      return { state: { runs: (state?.runs ?? 0) + 1 }, signals };
    });

    expect(await live.run(app)).toBe('evaluated');
    expect(await live.run(app)).toBe('evaluated');

    expect(seen).toEqual([null, { runs: 1 }]);
    expect(JSON.parse((await redis.get(`${prefix}:detector:{${app}}`))!)).toEqual({ runs: 2 });
    expect((await h.stores.incidents.list({ app, limit: 5 })).incidents).toHaveLength(1);
    expect(await redis.exists(`${prefix}:detector-lock:{${app}}`)).toBe(0);
  });

  it('when accepted batches wait to be counted for longer than allowed, then the tick is postponed, not judged', async () => {
    const app = uniqueApp();
    // A real ingest queue with no worker: its oldest waiting batch is the lag.
    const ingest = new Queue(QUEUES.ingest, { connection: redis, prefix: `${prefix}-lag` });
    try {
      let evaluated = 0;
      const live = new LiveDetector<CountState>({
        redis,
        prefix,
        evaluate: async ({ state }) => {
          evaluated += 1;
          return { state: { runs: (state?.runs ?? 0) + 1 }, signals: [] };
        },
        releases: h.stores.releases,
        incidents: h.service,
        clock: h.clock,
        logger,
        metrics: h.metrics,
        ingestLag: () => oldestWaitingMs(ingest),
        maxIngestLagMs: 200,
      });
      const postponedBefore = await evaluations('postponed');

      await ingest.add('ingest-batch', { app, receivedAt: Date.now(), delta: { minutes: [] } }, { timestamp: Date.now() - 1_000 });
      expect(await live.run(app)).toBe('postponed');
      expect(evaluated).toBe(0);
      expect(await evaluations('postponed')).toBe(postponedBefore + 1);
      expect(await redis.exists(`${prefix}:detector-lock:{${app}}`)).toBe(0);

      await ingest.drain();
      expect(await live.run(app)).toBe('evaluated');
      expect(evaluated).toBe(1);
    } finally {
      await ingest.obliterate({ force: true });
      await ingest.close();
    }
  });

  it('when two evaluations of one app overlap, then the second is skipped as busy', async () => {
    const app = uniqueApp();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const live = detector(async () => {
      await gate;
      return { state: { runs: 1 }, signals: [] };
    });

    const first = live.run(app);
    await new Promise((r) => setTimeout(r, 50));
    expect(await live.run(app)).toBe('busy');
    release();
    expect(await first).toBe('evaluated');
  });

  it('when an evaluation fails, then it is counted, its state is kept and the lock is free for the next tick', async () => {
    const app = uniqueApp();
    await redis.set(`${prefix}:detector:{${app}}`, JSON.stringify({ runs: 7 }));
    const before = await evaluations('error');
    const live = detector(async () => {
      throw new Error('counters unreadable');
    });

    await expect(live.run(app)).rejects.toThrow('counters unreadable');

    expect(await evaluations('error')).toBe(before + 1);
    expect(await redis.get(`${prefix}:detector:{${app}}`)).toBe(JSON.stringify({ runs: 7 }));
    expect(await redis.exists(`${prefix}:detector-lock:{${app}}`)).toBe(0);
  });

  it('when signals fail to apply, then the state is not saved, so the next tick re-emits them', async () => {
    const app = uniqueApp();
    h.extraListeners.push(async () => {
      throw new Error('notify queue down');
    });
    const live = detector(async ({ state, now }) => ({ state: { runs: (state?.runs ?? 0) + 1 }, signals: [signal('open', now)] }));
    try {
      await expect(live.run(app)).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      h.extraListeners.length = 0;
    }
    expect(await redis.get(`${prefix}:detector:{${app}}`)).toBeNull();
    expect(await live.run(app)).toBe('evaluated');
    expect((await h.stores.incidents.list({ app, limit: 5 })).incidents).toHaveLength(1);
  });

  describe('schedules and the worker', () => {
    let queue: Queue<DetectAppJob>;

    beforeAll(() => {
      queue = new Queue<DetectAppJob>(QUEUES.detect, { connection: redis, prefix });
    });
    afterAll(() => queue.close());

    it('when apps exist, then each gets one scheduler; a resync adds nothing and drops schedulers of vanished apps', async () => {
      const app = await h.stores.apps.create({ name: `shop-${uniqueApp()}`, key: { keyPrefix: 'vk_x', keyHash: uniqueApp(), createdAt: T0 }, createdAt: T0 });
      await queue.upsertJobScheduler(detectSchedulerId('app_gone'), { every: 60_000 }, { name: 'detect-app', data: { app: 'app_gone' } });
      const schedules = new DetectSchedules({ queue, apps: h.stores.apps, everyMs: 60_000, logger });

      const first = await schedules.sync();
      expect(first.added).toContain(app.id);
      expect(first.removed).toEqual(['app_gone']);
      expect(await schedules.sync()).toEqual({ added: [], removed: [] });

      const scheduler = await queue.getJobScheduler(detectSchedulerId(app.id));
      expect(scheduler).toMatchObject({ every: 60_000, template: { data: { app: app.id } } });
      await queue.obliterate({ force: true });
    });

    it('when the worker runs, then every app is evaluated on each tick of its scheduler', async () => {
      const apps = await h.stores.apps.list();
      const ticks = new Map<string, number>();
      const live = detector(async ({ app }) => {
        ticks.set(app, (ticks.get(app) ?? 0) + 1);
        return { state: { runs: 1 }, signals: [] };
      });
      const worker = createDetectWorker({ connection: redis, prefix, live, logger, metrics: h.metrics });
      try {
        await new DetectSchedules({ queue, apps: h.stores.apps, everyMs: 200, logger }).sync();
        const deadline = Date.now() + 10_000;
        while (!apps.every((a) => (ticks.get(a.id) ?? 0) >= 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        for (const a of apps) expect(ticks.get(a.id)).toBeGreaterThanOrEqual(2);
      } finally {
        await worker.close();
        await queue.obliterate({ force: true });
      }
    });
  });
});
