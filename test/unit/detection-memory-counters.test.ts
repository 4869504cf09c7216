import { MemoryCounters } from '../../src/counters/memory';
import { HOUR_MS, MINUTE_MS } from '../../src/domain/time';
import type { LoginEvent } from '../../src/domain/types';
import { aggregate } from '../support/synthetic-traffic';

const T = Date.UTC(2024, 0, 1, 10);
const login = (ts: number, userId: string, outcome: 'success' | 'failure', region = 'eu'): LoginEvent => ({
  type: 'login',
  ts,
  outcome,
  ...(outcome === 'failure' ? { errorCode: 'AUTH_TIMEOUT' } : {}),
  appVersion: '5.2.0',
  platform: 'android',
  region,
  userId,
});

describe('in-memory counters', () => {
  it('folds raw events and aggregates into minute buckets and hourly roll-ups', async () => {
    const c = new MemoryCounters('app');
    c.add(login(T + 1_000, 'u1', 'failure'));
    c.add(login(T + 2_000, 'u1', 'success'));
    c.add(aggregate(T + MINUTE_MS, 10, 4, { region: 'na' }));
    const [m0, m1] = await c.buckets('app', T, T + 2 * MINUTE_MS, MINUTE_MS);
    expect(m0?.total).toEqual({ attempts: 2, failures: 1, users: 1, failedUsers: 1 });
    expect(m0?.errorCodes).toEqual({ AUTH_TIMEOUT: 1 });
    expect(m0?.slices.osVersion).toEqual({ unknown: { attempts: 2, failures: 1, users: 1, failedUsers: 1 } });
    expect(m1?.slices.region.na).toEqual({ attempts: 10, failures: 4, users: 10, failedUsers: 4 });
    const [hour] = await c.buckets('app', T, T + HOUR_MS, HOUR_MS);
    expect(hour?.total).toEqual({ attempts: 12, failures: 5, users: 11, failedUsers: 5 });
  });

  it('zero-fills missing buckets and knows no other app', async () => {
    const c = new MemoryCounters('app');
    c.add(aggregate(T, 3, 0));
    const buckets = await c.buckets('app', T - MINUTE_MS, T + 2 * MINUTE_MS, MINUTE_MS);
    expect(buckets.map((b) => [b.at, b.total.attempts])).toEqual([
      [T - MINUTE_MS, 0],
      [T, 3],
      [T + MINUTE_MS, 0],
    ]);
    expect((await c.buckets('other', T, T + MINUTE_MS, MINUTE_MS))[0]?.total.attempts).toBe(0);
  });

  it('counts raw users once across minutes and sums aggregate users', async () => {
    const c = new MemoryCounters('app');
    c.add(login(T, 'u1', 'failure'));
    c.add(login(T + MINUTE_MS, 'u1', 'failure'));
    c.add(login(T + MINUTE_MS, 'u2', 'success', 'na'));
    c.add(aggregate(T, 10, 2));
    c.add(aggregate(T + MINUTE_MS, 10, 2));
    expect(await c.distinctUsers('app', T, T + 2 * MINUTE_MS)).toEqual({ users: 2 + 20, failedUsers: 1 + 4 });
    expect(await c.distinctUsers('app', T, T + 2 * MINUTE_MS, { dimension: 'region', value: 'na' })).toEqual({ users: 1, failedUsers: 0 });
    expect(await c.distinctUsers('app', T, T + 2 * MINUTE_MS, { dimension: 'errorCode', value: 'AUTH_TIMEOUT' })).toEqual({
      users: 1,
      failedUsers: 1,
    });
  });
});
