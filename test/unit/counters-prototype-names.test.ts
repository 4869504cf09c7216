import { MemoryCounters } from '../../src/counters/memory';
import { MINUTE_MS } from '../../src/domain/time';
import type { TelemetryEvent } from '../../src/domain/types';

/** Slice values are client strings: on plain objects these read as Object.prototype's members (or set it). */
const NAMES = ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty'];
const T = Date.UTC(2024, 0, 1, 10);

describe('in-memory counters with slice values named like Object.prototype members', () => {
  it.each(NAMES)('when a value is %s, then it is counted under its name and Object is left alone', async (name) => {
    const c = new MemoryCounters('app');
    const event: TelemetryEvent = {
      type: 'login', ts: T, outcome: 'failure', errorCode: name, appVersion: name, platform: 'ios', osVersion: name, region: name, userId: 'u1',
    };
    c.add(event);
    c.add({ ...event, ts: T + 1 });
    c.add({ type: 'login_aggregate', minute: T, attempts: 5, failures: 3, failuresByErrorCode: { [name]: 2 }, appVersion: name, platform: 'ios' });
    const one = { attempts: 2, failures: 2, users: 1, failedUsers: 1 };
    for (const step of [MINUTE_MS, 2 * MINUTE_MS, 3_600_000]) {
      const [bucket] = await c.buckets('app', T, T + 1, step);
      expect(Object.keys(bucket!.slices.appVersion)).toEqual([name]);
      expect(bucket!.slices.appVersion[name]).toMatchObject({ attempts: 7, failures: 5 });
      expect(bucket!.slices.region[name]).toMatchObject({ attempts: 2, failures: 2 });
      expect(bucket!.errorCodes[name]).toBe(4);
      if (step === MINUTE_MS) expect(bucket!.slices.osVersion[name]).toEqual(one);
    }
    expect(await c.distinctUsers('app', T, T + MINUTE_MS, { dimension: 'region', value: name })).toEqual({ users: 1, failedUsers: 1 });
    // `counts[value] ??= …` on a plain object used to add the counts onto Object itself.
    expect((Object as unknown as { attempts?: unknown }).attempts).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
