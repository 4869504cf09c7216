import shipped from '../../config/detector.json';
import { MemoryCounters } from '../../src/counters/memory';
import { evaluateApp } from '../../src/detection/runner';
import type { DetectorState } from '../../src/domain/detector/detector';
import { DetectorSettingsSchema } from '../../src/domain/detector/settings';
import type { Signal } from '../../src/domain/detector/signals';
import type { LoginAggregate, Release } from '../../src/domain/types';
import { aggregate, dailyShape, DAY, HOUR, MINUTE } from '../support/synthetic-traffic';

/**
 * The detector end to end on literal minute-by-minute traffic: counts are spelled out (failures spread evenly, no
 * randomness), each minute is evaluated once it is complete, and the state goes through JSON between evaluations
 * as it does through Redis in production.
 */

const settings = DetectorSettingsSchema.parse(shipped);
const MON = Date.UTC(2024, 0, 1);
const at = (day: number, hh: number, mm = 0) => MON + day * DAY + hh * HOUR + mm * MINUTE;

/** `rate` of `attempts` as whole failures, spread evenly over the minutes (error diffusion, no noise). */
function evenly(minute: number, attempts: number, rate: number): number {
  const i = Math.round(minute / MINUTE);
  return Math.floor((i + 1) * attempts * rate) - Math.floor(i * attempts * rate);
}

async function run(
  from: number,
  to: number,
  traffic: (minute: number) => LoginAggregate[],
  releases: Release[] = [],
): Promise<Signal[]> {
  const counters = new MemoryCounters('app');
  let state: DetectorState | null = null;
  const signals: Signal[] = [];
  for (let m = from; m < to; m += MINUTE) {
    for (const e of traffic(m)) counters.add(e);
    const now = m + MINUTE;
    const result = await evaluateApp(
      { counters, settings },
      { app: 'app', now, releases: releases.filter((r) => r.createdAt <= now), state },
    );
    state = JSON.parse(JSON.stringify(result.state)) as DetectorState;
    expect(state).toEqual(result.state);
    signals.push(...result.signals);
  }
  return signals;
}

const kinds = (signals: Signal[]) => signals.filter((s) => s.type !== 'update').map((s) => `${s.type}:${s.finding.kind}`);

function release(appVersion: string, releasedAt: number): Release {
  return { id: `r-${appVersion}`, app: 'app', appVersion, platform: null, releasedAt, rolloutPercent: null, notes: null, createdAt: releasedAt };
}

/** A steady app: 5.1.0 and 5.0.3, `perMinute` logins, 1.5% failing. */
const steady = (perMinute: number) => (m: number) => [
  aggregate(m, Math.round(perMinute * 0.8), evenly(m, Math.round(perMinute * 0.8), 0.015), { appVersion: '5.1.0' }),
  aggregate(m, Math.round(perMinute * 0.2), evenly(m + 7 * MINUTE, Math.round(perMinute * 0.2), 0.015), { appVersion: '5.0.3' }),
];

describe('detector: calibrated at low counts', () => {
  it('does not page for 3 failures of 4 attempts at 04:00', async () => {
    const signals = await run(at(0, 0), at(1, 4, 10), (m) => {
      if (m === at(1, 4)) return [aggregate(m, 4, 3)];
      return [aggregate(m, 4, evenly(m, 4, 0.015))];
    });
    expect(signals).toEqual([]);
  });

  it('pages for 40 of 60 in a slice that normally fails 1 in 60', async () => {
    const bad = at(1, 4);
    const signals = await run(at(0, 0), at(1, 4, 10), (m) => [
      aggregate(m, 50, evenly(m, 50, 1 / 60), { appVersion: '5.1.0' }),
      aggregate(m, 12, m >= bad && m < bad + 5 * MINUTE ? 8 : evenly(m, 12, 1 / 60), { appVersion: '5.0.3' }),
    ]);
    const open = signals.find((s) => s.type === 'open');
    expect(open?.finding.suspectedCause).toMatchObject({ dimension: 'appVersion', value: '5.0.3' });
    expect(open?.at).toBeLessThanOrEqual(bad + 5 * MINUTE);
  });

  it('does not page for one user hammering the button in one minute', async () => {
    const signals = await run(at(0, 0), at(1, 3), (m) => {
      const events = steady(20)(m);
      if (m === at(1, 2)) events.push(aggregate(m, 9, 9, { appVersion: '5.0.3' }));
      return events;
    });
    expect(signals).toEqual([]);
  });
});

describe('detector: a new version against the other versions over the same minutes', () => {
  it('catches a bad release at 2% of traffic within 3 minutes and links its release', async () => {
    const onset = at(0, 14);
    const signals = await run(at(0, 12), at(0, 14, 20), (m) => {
      const events = [aggregate(m, 98, evenly(m, 98, 0.015), { appVersion: '5.1.0' })];
      if (m >= onset) events.push(aggregate(m, 2, 2, { appVersion: '5.2.0' }));
      return events;
    }, [release('5.2.0', onset)]);
    const [open] = signals;
    expect(open?.type).toBe('open');
    expect(open?.at).toBeLessThanOrEqual(onset + 3 * MINUTE);
    expect(open?.finding.startedAt).toBe(onset);
    expect(open?.finding.suspectedCause).toEqual({
      dimension: 'appVersion',
      value: '5.2.0',
      share: expect.any(Number) as number,
      release: { appVersion: '5.2.0', releasedAt: onset },
    });
    expect(open?.finding.suspectedCause?.share).toBeGreaterThan(0.9);
    expect(kinds(signals)).toEqual(['open:error_rate']);
  });

  it('blames no slice when every version fails alike (a backend outage)', async () => {
    const onset = at(0, 14);
    const signals = await run(at(0, 12), at(0, 14, 15), (m) =>
      m < onset
        ? steady(100)(m)
        : [
            aggregate(m, 80, evenly(m, 80, 0.4), { appVersion: '5.1.0' }),
            aggregate(m, 20, evenly(m, 20, 0.4), { appVersion: '5.0.3', platform: 'android' }),
          ],
    );
    const [open] = signals;
    expect(open?.type).toBe('open');
    expect(open?.finding.suspectedCause).toBeNull();
    expect(open?.finding.startedAt).toBe(onset);
    expect(open?.finding.severity).toBe('critical');
  });
});

describe('detector: lifecycle', () => {
  it('resolves after a sustained return to normal, at the estimated end, and reopens a relapse', async () => {
    const onset = at(0, 14);
    const end = at(0, 14, 30);
    const relapse = at(0, 14, 55);
    const bad = (m: number) => (m >= onset && m < end) || (m >= relapse && m < relapse + 10 * MINUTE);
    const signals = await run(at(0, 12), at(0, 15, 10), (m) =>
      bad(m) ? [aggregate(m, 100, evenly(m, 100, 0.3))] : steady(100)(m),
    );
    expect(kinds(signals)).toEqual(['open:error_rate', 'resolve:error_rate', 'reopen:error_rate']);
    const resolve = signals.find((s) => s.type === 'resolve');
    expect(resolve?.at).toBe(end);
  });

  it('flapping traffic gives one incident', async () => {
    const start = at(0, 14);
    const signals = await run(at(0, 12), at(0, 17), (m) => {
      const k = (m - start) / MINUTE;
      const bad = k >= 0 && k < 120 && k % 10 < 4;
      return bad ? [aggregate(m, 100, evenly(m, 100, 0.3))] : steady(100)(m);
    });
    expect(kinds(signals).filter((k) => k.startsWith('open'))).toEqual(['open:error_rate']);
    expect(signals.filter((s) => s.type === 'open' || s.type === 'reopen').every((s) => s.finding.fingerprint === 'error_rate')).toBe(true);
  });

  it('a creeping failure rate opens while it climbs, with a start before the detection', async () => {
    const onset = at(0, 14);
    const signals = await run(at(0, 10), at(0, 17), (m) => {
      const rate = m < onset ? 0.015 : 0.015 + (0.12 * (m - onset)) / (3 * HOUR);
      return [aggregate(m, 200, evenly(m, 200, Math.min(rate, 0.135)))];
    });
    const open = signals.find((s) => s.type === 'open');
    expect(open).toBeDefined();
    expect(open?.at).toBeLessThan(onset + 3 * HOUR);
    expect(open?.finding.startedAt).toBeLessThan(open?.at ?? 0);
    expect(open?.finding.startedAt).toBeLessThanOrEqual(onset + 45 * MINUTE);
  });
});

describe('detector: volume', () => {
  const cycle = (m: number) => Math.round(100 * dailyShape(m));

  it('pages when logins collapse against the same time on previous days, not for the nightly dip', async () => {
    const onset = at(2, 13);
    const signals = await run(at(0, 0), at(2, 13, 20), (m) => {
      const attempts = m >= onset ? Math.round(cycle(m) * 0.1) : cycle(m);
      return [aggregate(m, attempts, evenly(m, attempts, 0.015))];
    });
    expect(kinds(signals)).toEqual(['open:volume_drop']);
    const [open] = signals;
    expect(open?.at).toBeLessThanOrEqual(onset + 5 * MINUTE);
    expect(open?.finding.startedAt).toBe(onset);
    expect(open?.finding.impact.baselineLoginsPerMinute).toBeGreaterThan(50);
    expect(open?.finding.impact.loginsPerMinute).toBeLessThan(15);
  });

  it('does not page on a lighter weekend day', async () => {
    // Friday, Saturday and Sunday at 65% from Saturday midnight.
    const friday = at(4, 0);
    const signals = await run(friday, friday + 3 * DAY, (m) => {
      const attempts = Math.round(cycle(m) * (m >= friday + DAY ? 0.65 : 1));
      return [aggregate(m, attempts, evenly(m, attempts, 0.015))];
    });
    expect(signals).toEqual([]);
  });
});
