import { createWriteStream } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { replay, runBacktest, toOutput, type BacktestIncident } from '../../src/detection/backtest';
import { LiveDetector } from '../../src/detection/live';
import { evaluateApp } from '../../src/detection/runner';
import { loadDetectorSettings } from '../../src/detection/settings-file';
import type { DetectorState } from '../../src/domain/detector/detector';
import { createLogger } from '../../src/logger';
import { findScenario, scenarioSpec } from '../../src/simulate/scenarios';
import { DAY, MINUTE } from '../../src/simulate/traffic';
import { streamTraffic } from '../../src/simulate/write';
import { deletePrefix, TEST_REDIS_URL, testPrefix } from '../support/redis';
import { makeTempDir } from '../support/tmp';
import { incidentHarness, type IncidentHarness } from './incident-fixtures';

/**
 * One incident book: the same traffic through the backtest (in-memory book) and through the live path (LiveDetector
 * with its state in Redis, the IncidentService over a real embedded store, a manual clock) yields the same incidents.
 * Both read the in-memory counters: the live worker's Redis counters are held to the same numbers by the counters'
 * own tests, and a few days of ticks through Redis would make this test about Redis speed.
 */

const settings = loadDetectorSettings();
const APP = 'differential';

/**
 * The seed incident (5.2.0 fails from 14:00, culprit and release), a relapse 15 minutes after its fix (a reopen
 * within the cool-down), and a backend outage in the evening (a new incident, no single slice).
 */
function trafficSpec() {
  const seed = findScenario('seed-incident')!;
  const spec = scenarioSpec(seed);
  const fix = Date.parse('2023-04-12T17:30:00Z');
  return {
    ...spec,
    start: spec.start + DAY,
    days: 2,
    failures: [
      ...(spec.failures ?? []),
      { from: fix + 15 * MINUTE, to: fix + 40 * MINUTE, match: { appVersion: '5.2.0' }, rate: 0.9, errorCode: 'SESSION_TOKEN_INVALID' },
      { from: fix + 4 * 60 * MINUTE, to: fix + 4 * 60 * MINUTE + 30 * MINUTE, match: {}, rate: 0.4, errorCode: 'AUTH_UNAVAILABLE' },
    ],
  };
}

/** What both books must agree on: all the backtest prints but the (random) id. */
const comparable = ({ id: _id, ...rest }: BacktestIncident) => rest;

describe('one incident book for live detection and the backtest', () => {
  const tmp = makeTempDir('incident-book-differential');
  const prefix = testPrefix('incident-book-differential');
  let redis: Redis;
  let h: IncidentHarness;
  let file: string;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    h = await incidentHarness('incident-book-differential');
    file = path.join(tmp.dir, 'traffic.ndjson.gz');
    await streamTraffic(trafficSpec(), createWriteStream(file), { gzip: true });
  }, 120_000);
  afterAll(async () => {
    await h.close();
    redis.disconnect();
    await deletePrefix(prefix);
    tmp.remove();
  });

  it(
    'when the same traffic goes through the live detector and incident service and through the backtest, then both open, reopen, resolve and blame the same incidents',
    async () => {
      const options = { input: file, app: APP, everySeconds: 10, progress: () => {} };
      const backtest = (await runBacktest({ ...options, settings })).map(comparable);

      const stored = new Set<string>();
      let counters: Parameters<typeof evaluateApp>[0]['counters'] | null = null;
      const live = new LiveDetector<DetectorState>({
        redis,
        prefix,
        evaluate: (input) => evaluateApp({ counters: counters!, settings }, input),
        releases: h.stores.releases,
        incidents: h.service,
        clock: h.clock,
        logger: createLogger('silent'),
        metrics: h.metrics,
      });
      await replay(options, async (tick) => {
        counters = tick.counters;
        // Registered as CI would, through the store, once the release line has been read.
        for (const r of tick.releases.filter((r) => !stored.has(r.id))) {
          stored.add(r.id);
          const { id: _id, ...release } = r;
          await h.stores.releases.create(release);
        }
        h.clock.set(tick.now);
        expect(await live.run(APP)).toBe('evaluated');
      });
      const { incidents } = await h.stores.incidents.list({ app: APP, limit: 50 });
      const liveBook = incidents.sort((a, b) => a.detectedAt - b.detectedAt).map((i) => comparable(toOutput(i)));

      expect(liveBook).toEqual(backtest);
      // The story the traffic tells, so that agreeing on nothing would not pass.
      expect(backtest).toHaveLength(2);
      const [release, outage] = backtest as [ReturnType<typeof comparable>, ReturnType<typeof comparable>];
      expect(release.suspectedCause).toMatchObject({ dimension: 'appVersion', value: '5.2.0', release: { appVersion: '5.2.0' } });
      expect(release.timeline.filter((t) => t.type === 'resolved')).toHaveLength(2);
      expect(release.timeline.some((t) => t.message.startsWith('Relapse detected'))).toBe(true);
      expect(outage.suspectedCause).toBeNull();
      expect([release.status, outage.status]).toEqual(['resolved', 'resolved']);
    },
    900_000,
  );
});
