import { loadDetectorSettings } from '../../src/detection/settings-file';
import { judgeRelease } from '../../src/domain/release-health';
import type { Bucket, Counts } from '../../src/domain/types';

const settings = loadDetectorSettings();
const T0 = Date.UTC(2024, 3, 12, 14, 0);

/** Per-version counts of one minute: [attempts, failures]; users one per attempt (aggregates from distinct users). */
type Minute = Record<string, [number, number]>;

function bucket(i: number, versions: Minute): Bucket {
  const total: Counts = { attempts: 0, failures: 0, users: 0, failedUsers: 0 };
  const appVersion: Record<string, Counts> = {};
  for (const [version, [attempts, failures]] of Object.entries(versions)) {
    appVersion[version] = { attempts, failures, users: attempts, failedUsers: failures };
    total.attempts += attempts;
    total.failures += failures;
    total.users += attempts;
    total.failedUsers += failures;
  }
  return { at: T0 + i * 60_000, total, slices: { appVersion, platform: {}, osVersion: {}, region: {} }, errorCodes: {} };
}

/** `n` minutes, each made by `minute(i)`. */
const minutes = (n: number, minute: (i: number) => Minute) => Array.from({ length: n }, (_, i) => bucket(i, minute(i)));

/** A failure count that spreads `rate` over the minutes without rounding them all the same way. */
const failing = (attempts: number, rate: number, i: number) => Math.floor(attempts * rate + ((i * 7) % 10) / 10);

describe('judgeRelease: the release health verdict', () => {
  it('when the new version fails like the others over enough logins, then it is healthy', () => {
    const health = judgeRelease(
      { appVersion: '5.2.1', baselineVersions: null, minutes: minutes(30, (i) => ({ '5.2.1': [60, failing(60, 0.015, i)], '5.1.0': [600, failing(600, 0.015, i)] })) },
      settings,
    );
    expect(health).toMatchObject({ verdict: 'healthy', appVersion: '5.2.1', baselineVersions: ['5.1.0'], attempts: 1800, minutes: 30 });
    expect(health.failureRate).toBeCloseTo(0.015, 2);
    expect(health.evidence).toMatch(/healthy\.$/);
  });

  it('when a quarter of its logins fail against 1.5% on the others, then it is unhealthy', () => {
    const health = judgeRelease(
      { appVersion: '5.2.0', baselineVersions: null, minutes: minutes(15, (i) => ({ '5.2.0': [8, i % 4 === 0 ? 1 : 2], '5.1.0': [800, failing(800, 0.015, i)] })) },
      settings,
    );
    expect(health.verdict).toBe('unhealthy');
    expect(health.failureRate).toBeGreaterThan(0.2);
    expect(health.baselineFailureRate).toBeCloseTo(0.015, 2);
    expect(health.evidence).toMatch(/unhealthy\.$/);
  });

  it('when the version has a handful of clean logins, then it is too early to say either way', () => {
    const health = judgeRelease(
      { appVersion: '5.2.1', baselineVersions: null, minutes: minutes(10, () => ({ '5.2.1': [2, 0], '5.1.0': [600, 9] })) },
      settings,
    );
    expect(health).toMatchObject({ verdict: 'insufficient_data', attempts: 20, failureRate: 0 });
    expect(health.evidence).toMatch(/more logins on 5\.2\.1 needed/);
  });

  it('when 3 of 4 logins fail, then that is not yet an unhealthy release (counts, not ratios)', () => {
    const health = judgeRelease(
      { appVersion: '5.2.1', baselineVersions: null, minutes: minutes(2, (i) => ({ '5.2.1': [2, i === 0 ? 2 : 1], '5.1.0': [600, 9] })) },
      settings,
    );
    expect(health.verdict).toBe('insufficient_data');
  });

  it('when no other version had logins in the same minutes, then there is nothing to judge against', () => {
    const health = judgeRelease({ appVersion: '5.2.1', baselineVersions: null, minutes: minutes(30, () => ({ '5.2.1': [100, 1] })) }, settings);
    expect(health).toMatchObject({ verdict: 'insufficient_data', baselineVersions: [], baselineFailureRate: null });
  });

  it('when the version had no logins at all, then it is insufficient data with no rate', () => {
    const health = judgeRelease({ appVersion: '9.9.9', baselineVersions: null, minutes: minutes(30, () => ({ '5.1.0': [600, 9] })) }, settings);
    expect(health).toMatchObject({ verdict: 'insufficient_data', attempts: 0, failureRate: null, minutes: 0 });
  });

  it('when baseline versions are named, then only they are compared with, and only over the minutes the version had logins', () => {
    const health = judgeRelease(
      {
        appVersion: '5.2.1',
        baselineVersions: ['5.1.0'],
        // 5.0.3 fails a lot (it would make 5.2.1 look fine); the first 10 minutes have no 5.2.1 at all.
        minutes: minutes(40, (i) => ({ ...(i >= 10 ? { '5.2.1': [60, 1] } : {}), '5.1.0': [600, 9], '5.0.3': [300, 150] })),
      },
      settings,
    );
    expect(health).toMatchObject({ baselineVersions: ['5.1.0'], baselineAttempts: 30 * 600, minutes: 30, verdict: 'healthy' });
  });

  it('when the other versions are busier or quieter, then the busiest is named first', () => {
    const health = judgeRelease(
      { appVersion: '5.2.1', baselineVersions: null, minutes: minutes(5, () => ({ '5.2.1': [10, 0], '5.0.3': [100, 1], '5.1.0': [500, 7] })) },
      settings,
    );
    expect(health.baselineVersions).toEqual(['5.1.0', '5.0.3']);
  });
});
