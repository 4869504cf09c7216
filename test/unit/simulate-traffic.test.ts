import { ManualClock } from '../../src/clock';
import { createEventSchema } from '../../src/ingest/event-schema';
import { HOUR, MINUTE, trafficMinutes, type AggregateLine, type LoginLine, type TrafficLine, type TrafficSpec } from '../../src/simulate/traffic';

/** The traffic generator behind `vigil simulate`, on a few literal hours. */

const START = Date.UTC(2024, 4, 8);
const SPEC: TrafficSpec = {
  start: START,
  days: 1,
  peakPerMinute: 200,
  errorCodes: [
    ['INVALID_CREDENTIALS', 0.8],
    ['AUTH_TIMEOUT', 0.2],
  ],
  versions: [
    { version: '5.1.0', releasedAt: null, weight: 0.8 },
    { version: '5.2.0', releasedAt: START + HOUR, weight: 1, adoptionHours: 1, announce: true },
  ],
  failures: [{ from: START + 2 * HOUR, to: START + 3 * HOUR, match: { appVersion: '5.2.0' }, rate: 0.8, errorCode: 'BROKEN' }],
  seed: 3,
};

/** The first `hours` of a spec's lines. */
function firstHours(spec: TrafficSpec, hours: number): TrafficLine[] {
  const lines: TrafficLine[] = [];
  for (const minute of trafficMinutes(spec)) {
    if (minute.at >= spec.start + hours * HOUR) break;
    lines.push(...minute.lines);
  }
  return lines;
}

describe('traffic generator', () => {
  it('when run twice with one seed, then the lines are the same; with another seed, they differ', () => {
    expect(firstHours(SPEC, 2)).toEqual(firstHours(SPEC, 2));
    expect(firstHours({ ...SPEC, seed: 4 }, 2)).not.toEqual(firstHours(SPEC, 2));
  });

  it('when a version is announced, then its release lines come at its release minute, one per platform, before its traffic', () => {
    const lines = firstHours(SPEC, 2);
    const first = lines.findIndex((l) => l.type === 'release');
    expect(lines.filter((l) => l.type === 'release')).toEqual([
      { type: 'release', appVersion: '5.2.0', platform: 'ios', releasedAt: '2024-05-08T01:00:00.000Z' },
      { type: 'release', appVersion: '5.2.0', platform: 'android', releasedAt: '2024-05-08T01:00:00.000Z' },
    ]);
    expect(lines.findIndex((l) => l.type === 'login_aggregate' && l.appVersion === '5.2.0')).toBeGreaterThan(first);
  });

  it('when error codes are given, then every aggregate splits its failures over them, and the incident code appears only in its window and slice', () => {
    const aggregates = firstHours(SPEC, 4).filter((l): l is AggregateLine => l.type === 'login_aggregate');
    for (const a of aggregates) {
      expect(Object.values(a.failuresByErrorCode ?? {}).reduce((s, n) => s + n, 0)).toBe(a.failures);
    }
    const broken = aggregates.filter((a) => (a.failuresByErrorCode?.BROKEN ?? 0) > 0);
    expect(broken.length).toBeGreaterThan(0);
    for (const a of broken) {
      expect(a.appVersion).toBe('5.2.0');
      expect(Date.parse(a.minute)).toBeGreaterThanOrEqual(START + 2 * HOUR);
      expect(Date.parse(a.minute)).toBeLessThan(START + 3 * HOUR);
    }
  });

  it('when one line per login is asked for, then each minute holds single logins in time order, failures with a code', () => {
    const lines = firstHours({ ...SPEC, format: 'login' }, 3);
    const logins = lines.filter((l): l is LoginLine => l.type === 'login');
    expect(logins.length).toBe(lines.length - 2);
    const times = logins.map((l) => Date.parse(l.ts));
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
    for (const l of logins) expect(l.outcome === 'failure').toBe(l.errorCode !== undefined);
    // Each is what POST /v1/events accepts, with the clock at the login's own time.
    const clock = new ManualClock(0);
    const schema = createEventSchema(clock);
    for (const l of logins) {
      clock.set(Date.parse(l.ts));
      expect(schema.safeParse(l).error).toBeUndefined();
    }
    const inWindow = logins.filter((l) => Date.parse(l.ts) >= START + 2 * HOUR && l.appVersion === '5.2.0');
    expect(inWindow.filter((l) => l.outcome === 'failure').length / inWindow.length).toBeGreaterThan(0.6);
  });

  it('when a retry storm hits a cell, then its failures come from one user', () => {
    const logins = firstHours({ ...SPEC, format: 'login', burstProbability: 1 }, 1).filter((l): l is LoginLine => l.type === 'login');
    const minute = logins.filter((l) => l.ts.startsWith('2024-05-08T00:30') && l.region === 'na' && l.osVersion === '17.3');
    const failedBy = new Map<string, number>();
    for (const l of minute) if (l.outcome === 'failure') failedBy.set(l.userId, (failedBy.get(l.userId) ?? 0) + 1);
    expect(Math.max(...failedBy.values())).toBeGreaterThanOrEqual(3);
  });

  it('when the spec covers a day, then it yields every minute of it', () => {
    let count = 0;
    let last = 0;
    for (const minute of trafficMinutes({ ...SPEC, peakPerMinute: 1 })) {
      count++;
      last = minute.at;
    }
    expect(count).toBe(1440);
    expect(last).toBe(START + 1439 * MINUTE);
  });
});
