import { loginAggregate } from '../support/login-aggregate';
import { eventually, startTestService, type TestService } from '../support/service';

/**
 * The story Vigil exists for, on the running service: an hour of healthy logins, then a release whose logins fail
 * 90% of the time. Within a minute an incident is open and the in-app status reports trouble.
 */
const MIN = 60_000;
const minuteOf = (ms: number) => Math.floor(ms / MIN) * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

interface Incident {
  id: string;
  kind: string;
  status: string;
  startedAt: string;
  detectedAt: string;
  suspectedCause: { dimension: string; value: string; release: { appVersion: string } | null } | null;
}

const healthyMinute = (minute: number) => [loginAggregate(minute, '5.1.0', 'ios', 100, 1), loginAggregate(minute, '5.1.0', 'android', 100, 2)];

describe('detection, end to end', () => {
  let svc: TestService;
  let app: { id: string; ingestKey: string };

  beforeAll(async () => {
    svc = await startTestService('detection-e2e');
    app = (await (await svc.api('/v1/apps', { method: 'POST', json: { name: 'shop' } })).json()) as typeof app;
  });
  afterAll(() => svc?.cleanup());

  const send = async (events: unknown[]) => {
    const res = await svc.api('/v1/events', { method: 'POST', token: app.ingestKey, json: { events } });
    if (res.status !== 202) throw new Error(`POST /v1/events answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { accepted: number; rejected: unknown[] };
    expect(body.rejected).toEqual([]);
  };

  /** The broken release in real time: every second, 5.2.0 logins failing 9 in 10 beside healthy 5.1.0 ones. */
  const failInRealTime = () => {
    let running = true;
    let user = 0;
    const loop = (async () => {
      while (running) {
        const ts = iso(Date.now());
        const login = (appVersion: string, platform: 'ios' | 'android', failed: boolean) => ({
          type: 'login',
          ts,
          outcome: failed ? 'failure' : 'success',
          ...(failed ? { errorCode: 'AUTH_TIMEOUT' } : {}),
          appVersion,
          platform,
          osVersion: platform === 'ios' ? '17.4' : '14',
          region: 'eu',
          userId: `user-${(user += 1)}`,
        });
        await send([
          ...Array.from({ length: 10 }, (_, i) => login('5.2.0', 'android', i < 9)),
          login('5.1.0', 'ios', false),
          login('5.1.0', 'ios', false),
          login('5.1.0', 'android', false),
        ]);
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    return async () => {
      running = false;
      await loop;
    };
  };

  it('when 5.2.0 starts failing 90% of logins, then an incident opens within 60 s and /v1/status reports it', async () => {
    const now = minuteOf(Date.now());
    const history = [];
    for (let minute = now - 60 * MIN; minute <= now - 3 * MIN; minute += MIN) history.push(...healthyMinute(minute));
    await send(history);
    const release = await svc.api('/v1/releases', {
      method: 'POST',
      token: app.ingestKey,
      json: { appVersion: '5.2.0', platform: 'android', releasedAt: iso(now - 2 * MIN - 30_000) },
    });
    expect(release.status).toBe(201);
    // The detector judges closed minutes and wants two bad ones: the rollout's first two minutes arrive as the SDK's
    // per-minute aggregates, so the test does not depend on where in the current minute it starts.
    const rollout = (minute: number) => [...healthyMinute(minute), loginAggregate(minute, '5.2.0', 'android', 150, 135, 'AUTH_TIMEOUT')];
    await send([...rollout(now - 2 * MIN), ...rollout(now - MIN)]);

    const stopFailing = failInRealTime();
    let incident: Incident;
    try {
      incident = await eventually(async () => {
        const res = await svc.api(`/v1/incidents?app=${app.id}`);
        return ((await res.json()) as { incidents: Incident[] }).incidents[0];
      }, 60_000, 1000);
    } finally {
      await stopFailing();
    }

    expect(incident).toMatchObject({ kind: 'error_rate', status: 'open' });
    // Every excess failure also carries AUTH_TIMEOUT; the culprit is still where it happens: the version, with its release.
    expect(incident.suspectedCause).toMatchObject({ dimension: 'appVersion', value: '5.2.0', release: { appVersion: '5.2.0' } });
    expect(Date.parse(incident.startedAt)).toBeLessThanOrEqual(Date.parse(incident.detectedAt));

    const status = await eventually(async () => {
      const body = (await (await svc.api('/v1/status', { token: app.ingestKey })).json()) as { status: string; incidents: { id: string }[] };
      return body.status === 'operational' ? undefined : body;
    }, 15_000, 500);
    expect(['degraded', 'outage']).toContain(status.status);
    expect(status.incidents.map((i) => i.id)).toEqual([incident.id]);
  }, 120_000);
});
