import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { foldBatch } from '../../src/counters/delta';
import { HOUR_MS, MINUTE_MS } from '../../src/counters/ports';
import { RedisCounters } from '../../src/counters/redis';
import { RedisCounterWriter } from '../../src/counters/writer';
import type { TelemetryEvent } from '../../src/domain/types';
import { Aggregator } from '../../src/ingest/aggregate';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from '../support/redis';

const H = Date.parse('2024-05-01T10:00:00Z');
const prefix = testPrefix('counters');
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
const metrics = createMetrics(new Registry(), { defaultMetrics: false });
const limits = loadConfig({}).sliceValueLimits;
const writer = new RedisCounterWriter({ redis, prefix, metrics, logger: createLogger('silent'), limits });
const aggregator = new Aggregator({ counters: writer, clock: new ManualClock(H + 2 * HOUR_MS), metrics });
const counters = new RedisCounters(redis, prefix);
let jobs = 0;

const login = (ts: number, userId: string, over: Partial<Record<string, string>> = {}): TelemetryEvent =>
  ({ type: 'login', ts, outcome: 'success', appVersion: '5.2.0', platform: 'ios', userId, ...over });
const fold = (app: string, events: TelemetryEvent[]) => aggregator.process(`job-${++jobs}`, { app, receivedAt: H, delta: foldBatch(events) });

afterAll(async () => {
  await deletePrefix(prefix);
  redis.disconnect();
});

describe('Redis counters written by the aggregator', () => {
  beforeAll(async () => {
    await fold('shop', [
      login(H + 1_000, 'alice'),
      login(H + 2_000, 'bob', { outcome: 'failure', errorCode: 'AUTH_TIMEOUT', appVersion: '5.3.0' }),
      login(H + 3_000, 'bob', { outcome: 'failure', errorCode: 'AUTH_TIMEOUT', appVersion: '5.3.0' }),
      login(H + MINUTE_MS + 5_000, 'alice', { platform: 'android', region: 'eu' }),
      login(H + HOUR_MS + 5_000, 'carol'),
    ]);
    await fold('shop', [
      {
        type: 'login_aggregate',
        minute: H + 2 * MINUTE_MS,
        attempts: 100,
        failures: 10,
        users: 90,
        failedUsers: 9,
        failuresByErrorCode: { AUTH_TIMEOUT: 4 },
        appVersion: '5.2.0',
        platform: 'android',
      },
    ]);
  });

  it('when read by minute, then every minute of the range is there, empty ones zero-filled, slices and codes split', async () => {
    const buckets = await counters.buckets('shop', H, H + 4 * MINUTE_MS, MINUTE_MS);
    expect(buckets.map((b) => b.at)).toEqual([H, H + MINUTE_MS, H + 2 * MINUTE_MS, H + 3 * MINUTE_MS]);
    const [first, second, third, empty] = buckets;
    expect(first!.total).toEqual({ attempts: 3, failures: 2, users: 2, failedUsers: 1 });
    expect(first!.slices.appVersion).toEqual({
      '5.2.0': { attempts: 1, failures: 0, users: 1, failedUsers: 0 },
      '5.3.0': { attempts: 2, failures: 2, users: 1, failedUsers: 1 },
    });
    expect(first!.slices.region).toEqual({ unknown: { attempts: 3, failures: 2, users: 2, failedUsers: 1 } });
    expect(first!.errorCodes).toEqual({ AUTH_TIMEOUT: 2 });
    expect(second!.slices.platform).toEqual({ android: { attempts: 1, failures: 0, users: 1, failedUsers: 0 } });
    expect(third!.total).toEqual({ attempts: 100, failures: 10, users: 90, failedUsers: 9 });
    expect(third!.errorCodes).toEqual({ AUTH_TIMEOUT: 4, unknown: 6 });
    expect(empty).toEqual({
      at: H + 3 * MINUTE_MS,
      total: { attempts: 0, failures: 0, users: 0, failedUsers: 0 },
      slices: { appVersion: {}, platform: {}, osVersion: {}, region: {} },
      errorCodes: {},
    });
  });

  it('when read by several minutes, then counts add up and users are a union, not a sum', async () => {
    const [bucket] = await counters.buckets('shop', H + 30_000, H + 5 * MINUTE_MS, 5 * MINUTE_MS);
    expect(bucket!.at).toBe(H);
    // alice in two minutes counts once; the aggregate's 90 users are added as reported.
    expect(bucket!.total).toEqual({ attempts: 104, failures: 12, users: 92, failedUsers: 10 });
  });

  it('when read by hour, then the hourly roll-ups answer', async () => {
    const buckets = await counters.buckets('shop', H, H + 2 * HOUR_MS, HOUR_MS);
    expect(buckets.map((b) => b.total)).toEqual([
      { attempts: 104, failures: 12, users: 92, failedUsers: 10 },
      { attempts: 1, failures: 0, users: 1, failedUsers: 0 },
    ]);
  });

  it('when asked for distinct users, then HyperLogLogs are unioned across minutes and hours, per slice too', async () => {
    expect(await counters.distinctUsers('shop', H, H + 2 * HOUR_MS)).toEqual({ users: 93, failedUsers: 10 });
    expect(await counters.distinctUsers('shop', H + MINUTE_MS, H + HOUR_MS + MINUTE_MS)).toEqual({ users: 92, failedUsers: 9 });
    expect(await counters.distinctUsers('shop', H, H + HOUR_MS, { dimension: 'appVersion', value: '5.3.0' })).toEqual({
      users: 1,
      failedUsers: 1,
    });
    expect(await counters.distinctUsers('shop', H, H + HOUR_MS, { dimension: 'errorCode', value: 'AUTH_TIMEOUT' })).toEqual({
      users: 1,
      failedUsers: 1,
    });
    expect(await counters.distinctUsers('other-app', H, H + HOUR_MS)).toEqual({ users: 0, failedUsers: 0 });
  });

  it('when asked for a slice\'s users over whole hours, then its minutes answer (hours keep only the app\'s users)', async () => {
    // alice at 10:00 and 10:01, carol at 11:00, all on 5.2.0; the 5.2.0 aggregate reports 90 users, 9 failed.
    expect(await counters.distinctUsers('shop', H, H + 2 * HOUR_MS, { dimension: 'appVersion', value: '5.2.0' })).toEqual({
      users: 92,
      failedUsers: 9,
    });
    expect(await counters.distinctUsers('shop', H, H + 2 * HOUR_MS, { dimension: 'platform', value: 'ios' })).toEqual({
      users: 3,
      failedUsers: 1,
    });
    const hourly = await redis.keys(`${prefix}:c:{shop}:h:*`);
    const hour = (at: number, hll: string) => `${prefix}:c:{shop}:h:${at}|${hll}`;
    expect(hourly.filter((k) => k.includes('|')).sort()).toEqual([hour(H, 'fu'), hour(H, 'u'), hour(H + HOUR_MS, 'u')]);
  });

  it('when the same job is processed twice, then it is counted once', async () => {
    const job = { app: 'redelivery', receivedAt: H, delta: foldBatch([login(H, 'dave'), login(H, 'erin')]) };
    expect(await aggregator.process('same-job', job)).toBe(true);
    expect(await aggregator.process('same-job', job)).toBe(false);
    const [bucket] = await counters.buckets('redelivery', H, H + MINUTE_MS, MINUTE_MS);
    expect(bucket!.total.attempts).toBe(2);
  });

  it('when the detector reads 240 minutes of a busy app, then it takes one quick round trip', async () => {
    const start = H - 4 * HOUR_MS;
    for (let m = 0; m < 240; m += 10) {
      const events: TelemetryEvent[] = [];
      for (let i = 0; i < 1000; i++) {
        events.push(
          login(start + (m + (i % 10)) * MINUTE_MS, `u${i % 300}`, {
            appVersion: `5.${i % 5}.0`,
            osVersion: `${14 + (i % 8)}`,
            region: ['eu', 'us', 'ap', 'sa', 'af'][i % 5]!,
            platform: i % 2 ? 'ios' : 'android',
            ...(i % 7 === 0 ? { outcome: 'failure', errorCode: `E${i % 4}` } : {}),
          }),
        );
      }
      await fold('busy', events);
    }
    await counters.buckets('busy', start, H, MINUTE_MS);
    const started = performance.now();
    const buckets = await counters.buckets('busy', start, H, MINUTE_MS);
    const elapsed = performance.now() - started;
    console.log(`240-minute read of a busy app: ${elapsed.toFixed(1)} ms`);
    expect(buckets).toHaveLength(240);
    expect(buckets.reduce((n, b) => n + b.total.attempts, 0)).toBe(24_000);
    expect(elapsed).toBeLessThan(500);
  });
});
