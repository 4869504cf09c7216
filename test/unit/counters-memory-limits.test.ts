import { MemoryCounters } from '../../src/counters/memory';
import { HOUR_MS, MINUTE_MS } from '../../src/domain/time';
import type { LoginEvent } from '../../src/domain/types';

const T = Date.UTC(2024, 0, 1, 10);
const login = (ts: number, n: number): LoginEvent => ({
  type: 'login', ts, outcome: 'failure', errorCode: `E${n}`, appVersion: `1.0.${n}`, platform: 'ios', region: `r${n}`, userId: `u${n}`,
});

describe('in-memory counters with more distinct values than the hourly limits', () => {
  const limits = { appVersion: 3, osVersion: 3, region: 2, errorCode: 2 };

  it('when values pass the limit, then they count as "other" for the rest of the hour, totals exact, as in Redis', async () => {
    const c = new MemoryCounters('app', limits);
    for (let n = 0; n < 10; n++) c.add(login(T + n * 1000, n));
    c.add(login(T + MINUTE_MS, 1));
    const [minute] = await c.buckets('app', T, T + 1, MINUTE_MS);
    expect(minute!.total.attempts).toBe(10);
    expect(Object.keys(minute!.slices.appVersion)).toEqual(['1.0.0', '1.0.1', '1.0.2', 'other']);
    expect(minute!.slices.appVersion.other).toMatchObject({ attempts: 7, failures: 7, users: 7 });
    expect(minute!.slices.region.other!.attempts).toBe(8);
    expect(minute!.errorCodes).toEqual({ E0: 1, E1: 1, other: 8 });
    // An admitted value keeps its place in later minutes of the hour.
    const [next] = await c.buckets('app', T + MINUTE_MS, T + MINUTE_MS + 1, MINUTE_MS);
    expect(Object.keys(next!.slices.appVersion)).toEqual(['1.0.1']);
    const [hour] = await c.buckets('app', T, T + 1, HOUR_MS);
    expect(hour!.slices.appVersion.other!.attempts).toBe(7);
  });

  it('when a new hour starts, then it admits values afresh', async () => {
    const c = new MemoryCounters('app', limits);
    for (let n = 0; n < 5; n++) c.add(login(T + n, n));
    c.add(login(T + HOUR_MS, 9));
    const [bucket] = await c.buckets('app', T + HOUR_MS, T + HOUR_MS + 1, MINUTE_MS);
    expect(Object.keys(bucket!.slices.appVersion)).toEqual(['1.0.9']);
  });
});
