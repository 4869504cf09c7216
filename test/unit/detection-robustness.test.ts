import shipped from '../../config/detector.json';
import { MemoryCounters } from '../../src/counters/memory';
import { evaluateApp } from '../../src/detection/runner';
import type { DetectorState } from '../../src/domain/detector/detector';
import { minuteCorrelationOf } from '../../src/domain/detector/error-rate';
import { OVERALL, type UnitSeries } from '../../src/domain/detector/series';
import { DetectorSettingsSchema } from '../../src/domain/detector/settings';
import type { Signal } from '../../src/domain/detector/signals';
import type { LoginAggregate } from '../../src/domain/types';
import { MINUTE } from '../support/synthetic-traffic';

/** Retry storms, estimated overdispersion and a version crashing before login, on small literal traffic. */

const settings = DetectorSettingsSchema.parse(shipped);
const T0 = Date.UTC(2024, 0, 1, 8);

function line(minute: number, appVersion: string, attempts: number, failures: number, failedUsers = failures): LoginAggregate {
  return { type: 'login_aggregate', minute, attempts, failures, users: attempts, failedUsers, appVersion, platform: 'ios', region: 'eu' };
}

async function run(minutes: number, traffic: (i: number, m: number) => LoginAggregate[]): Promise<Signal[]> {
  const counters = new MemoryCounters('app');
  let state: DetectorState | null = null;
  const signals: Signal[] = [];
  for (let i = 0; i < minutes; i++) {
    const m = T0 + i * MINUTE;
    for (const e of traffic(i, m)) counters.add(e);
    const result = await evaluateApp({ counters, settings }, { app: 'app', now: m + MINUTE, releases: [], state });
    state = JSON.parse(JSON.stringify(result.state)) as DetectorState;
    signals.push(...result.signals);
  }
  return signals;
}

const opened = (signals: Signal[]) => signals.filter((s) => s.type === 'open').map((s) => s.finding);

/** 5.1.0 at 48 logins/min failing 1 in 48 (one every minute), 5.0.3 at 12/min failing 1 in 60. */
const steady = (i: number, m: number) => [line(m, '5.1.0', 48, 1), line(m, '5.0.3', 12, i % 5 === 0 ? 1 : 0)];

describe('retry storms', () => {
  it('one user failing 12 times a minute, three minutes running, in a quiet version does not page', async () => {
    const signals = await run(150, (i, m) => {
      const lines = steady(i, m);
      // Minutes 130-132: one user of 5.0.3 hammers the button: 12 failed attempts, one failed user, each minute.
      if (i >= 130 && i < 133) lines[1] = { ...line(m, '5.0.3', 24, 12, 1), users: 13 };
      return lines;
    });
    expect(opened(signals)).toEqual([]);
  });

  it('the same failures from as many users page, blamed on the version', async () => {
    const signals = await run(150, (i, m) => {
      const lines = steady(i, m);
      if (i >= 130) lines[1] = line(m, '5.0.3', 24, 12);
      return lines;
    });
    const [finding] = opened(signals);
    expect(finding?.kind).toBe('error_rate');
    expect(finding?.suspectedCause).toMatchObject({ dimension: 'appVersion', value: '5.0.3' });
  });
});

describe('overdispersion estimated from the minutes before the windows', () => {
  const unit = (failures: number[]): UnitSeries => ({
    unit: OVERALL,
    attempts: failures.map(() => 200),
    failures,
    users: failures.map(() => 0),
    failedUsers: failures.map(() => 0),
  });

  it('steady minutes keep the configured floor', () => {
    expect(minuteCorrelationOf(unit(new Array<number>(120).fill(6)), 120, settings)).toBe(settings.errorRate.minuteCorrelation);
  });

  it('minutes alternating 0 and 12 failures of 200 are far wider than binomial', () => {
    const rho = minuteCorrelationOf(unit(Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? 0 : 12))), 120, settings);
    // Pearson residual² of each minute is about 6²/5.8 = 6.2: ρ ≈ (6.2 / 0.455 − 1) / 199.
    expect(rho).toBeGreaterThan(0.05 - 1e-9);
    expect(rho).toBeLessThanOrEqual(settings.errorRate.maxMinuteCorrelation);
  });

  it('a quiet unit (under one expected failure a minute) keeps the floor', () => {
    const quiet: UnitSeries = { ...unit(Array.from({ length: 120 }, (_, i) => (i % 7 === 0 ? 1 : 0))), attempts: new Array<number>(120).fill(10) };
    expect(minuteCorrelationOf(quiet, 120, settings)).toBe(settings.errorRate.minuteCorrelation);
  });
});

describe('a version whose logins vanish', () => {
  /** 5.1.0 at 70/min, 5.2.0 at 30/min, 1 failure each per minute. */
  const base = (m: number, v51: number, v52: number) => [line(m, '5.1.0', v51, 1), line(m, '5.2.0', v52, v52 > 0 ? 1 : 0)];

  it('crashing before login while the other versions go on: a volume drop blamed on the version', async () => {
    const signals = await run(140, (i, m) => base(m, 70, i >= 120 ? 0 : 30));
    const [finding] = opened(signals);
    expect(finding?.kind).toBe('volume_drop');
    expect(finding?.suspectedCause).toMatchObject({ dimension: 'appVersion', value: '5.2.0' });
    expect(finding?.startedAt).toBe(T0 + 120 * MINUTE);
  });

  it('handing its users to the next version (the app keeps its logins): nothing opens', async () => {
    const signals = await run(140, (i, m) => (i >= 120 ? base(m, 95, 5) : base(m, 70, 30)));
    expect(opened(signals)).toEqual([]);
  });
});
