import Redis from 'ioredis';
import { RedisCounters } from '../../src/counters/redis';
import { TEST_REDIS_URL } from '../support/redis';
import { eventually, startTestService, type TestService } from '../support/service';

/** `__proto__` cannot pass the slice-value pattern at the API; these three can, and used to vanish. */
const NAMES = ['constructor', 'toString', 'valueOf'];

describe('slice values named like Object.prototype members, from ingest to series and the detector input', () => {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  let service: TestService;
  let app: { id: string; ingestKey: string };
  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;

  beforeAll(async () => {
    service = await startTestService('counters-proto');
    app = (await (await service.api('/v1/apps', { method: 'POST', json: { name: 'shop' } })).json()) as typeof app;
    const events = NAMES.flatMap((name, i) => [
      { type: 'login', ts: minute + i, outcome: 'failure', errorCode: name, appVersion: name, platform: 'ios', osVersion: name, region: name, userId: `u${i}` },
      {
        type: 'login_aggregate', minute, attempts: 10, failures: 4, users: 9, failedUsers: 3, failuresByErrorCode: { [name]: 4 },
        appVersion: name, platform: 'android', osVersion: name, region: name,
      },
    ]);
    const res = await service.api('/v1/events', { method: 'POST', token: app.ingestKey, json: { events } });
    expect(await res.json()).toEqual({ accepted: 6, rejected: [] });
    await eventually(async () => {
      const [bucket] = await new RedisCounters(redis, service.prefix).buckets(app.id, minute, minute + 60_000, 60_000);
      return bucket?.total.attempts === 33 ? true : undefined;
    });
  });
  afterAll(async () => {
    redis.disconnect();
    await service.cleanup();
  });

  it('when the detector reads the counters, then every such value has its own counts', async () => {
    for (const step of [60_000, 3_600_000]) {
      const [bucket] = await new RedisCounters(redis, service.prefix).buckets(app.id, minute, minute + 1, step);
      for (const dimension of ['appVersion', 'osVersion', 'region'] as const) {
        expect(Object.keys(bucket!.slices[dimension]).sort()).toEqual([...NAMES].sort());
        for (const name of NAMES) expect(bucket!.slices[dimension][name]).toMatchObject({ attempts: 11, failures: 5 });
      }
      for (const name of NAMES) expect(bucket!.errorCodes[name]).toBe(5);
    }
  });

  it('when the series is grouped by those values, then each is a group of its own', async () => {
    for (const groupBy of ['appVersion', 'region', 'errorCode']) {
      const res = await service.api(`/v1/apps/${app.id}/series?from=${minute}&to=${minute + 60_000}&groupBy=${groupBy}`);
      const { groups } = (await res.json()) as { groups: Record<string, Array<{ failures: number; attempts?: number }>> };
      expect(Object.keys(groups).sort()).toEqual([...NAMES].sort());
      for (const name of NAMES) expect(groups[name]![0]!.failures).toBe(5);
    }
  });
});
