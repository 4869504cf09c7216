import shipped from '../../config/detector.json';
import { findLaunchEvidence } from '../../src/domain/detector/launch';
import { buildSeries } from '../../src/domain/detector/series';
import { DetectorSettingsSchema } from '../../src/domain/detector/settings';
import type { Bucket, Counts, Release } from '../../src/domain/types';

const settings = DetectorSettingsSchema.parse(shipped);
const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 10, 12);
const RELEASE = T0 + 60 * MINUTE;

const c = (attempts: number): Counts => ({ attempts, failures: 0, users: attempts, failedUsers: 0 });

/**
 * 90 minutes of an app: ios 450 and android 550 logins a minute on 5.1.0; from minute 60 version 5.4.0 ships on ios
 * and `moved(i)` of ios's logins move to it, of which it keeps `kept`.
 */
function minutes(moved: (i: number) => number, kept: number): Bucket[] {
  return Array.from({ length: 90 }, (_, i) => {
    const m = i < 60 ? 0 : Math.round(450 * moved(i - 60));
    const v = Math.round(m * kept);
    const ios = 450 - m + v;
    return {
      at: T0 + i * MINUTE,
      total: c(ios + 550),
      slices: {
        appVersion: { '5.1.0': c(1000 - m), ...(i >= 60 ? { '5.4.0': c(v) } : {}) },
        platform: { ios: c(ios), android: c(550) },
        osVersion: {},
        region: {},
      },
      errorCodes: {},
    };
  });
}

const release: Release = { id: 'r', app: 'a', appVersion: '5.4.0', platform: 'ios', releasedAt: RELEASE, rolloutPercent: null, notes: null, createdAt: RELEASE };
const rollout = (i: number) => Math.min(0.3, i / 100);

describe('crash at launch', () => {
  it('names the new version when its platform loses the logins its users would have made', () => {
    const [evidence] = findLaunchEvidence(buildSeries(minutes(rollout, 0.07)), [release], 0, settings);
    expect(evidence).toMatchObject({ version: '5.4.0', group: 'platform=ios', from: 60 });
    expect(evidence?.share).toBeCloseTo(0.45, 3);
    expect(evidence?.missing).toBeGreaterThan(1000);
  });

  it('stays quiet on a healthy roll-out: the users who update keep logging in', () => {
    expect(findLaunchEvidence(buildSeries(minutes(rollout, 1)), [release], 0, settings)).toEqual([]);
  });

  it('stays quiet while the version has too little before it to know the platform share', () => {
    const late = minutes(rollout, 0.07).slice(40);
    expect(findLaunchEvidence(buildSeries(late), [release], 0, settings)).toEqual([]);
  });
});
