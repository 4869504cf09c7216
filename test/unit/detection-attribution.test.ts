import shipped from '../../config/detector.json';
import { linkRelease, pickCulprit, surprise, type AttributionItem } from '../../src/domain/detector/attribution';
import { DetectorSettingsSchema } from '../../src/domain/detector/settings';
import type { Release } from '../../src/domain/types';
import { MINUTE_MS as MIN } from '../../src/domain/time';

const settings = DetectorSettingsSchema.parse(shipped);

const item = (dimension: AttributionItem['dimension'], value: string, excess: number, normalShare: number, concentrated: boolean): AttributionItem => ({
  dimension,
  value,
  excess,
  normalShare,
  concentrated,
});

describe('culprit attribution', () => {
  it('names the version that explains the excess while being a small part of traffic', () => {
    const culprit = pickCulprit(
      [
        item('appVersion', '5.2.0', 97, 0.02, true),
        item('appVersion', '5.1.0', 3, 0.78, false),
        item('appVersion', '5.0.3', 0, 0.2, false),
        // 5.2.0 happens to be mostly iOS: iOS also explains most, but is half of all traffic.
        item('platform', 'ios', 90, 0.5, true),
        item('platform', 'android', 10, 0.5, false),
      ],
      settings,
    );
    expect(culprit).toEqual({ dimension: 'appVersion', value: '5.2.0', share: 0.97 });
  });

  it('blames nothing when the excess follows traffic (a backend outage)', () => {
    const culprit = pickCulprit(
      [
        item('appVersion', '5.1.0', 80, 0.8, false),
        item('appVersion', '5.0.3', 20, 0.2, false),
        item('region', 'eu', 35, 0.35, false),
        item('region', 'na', 65, 0.65, false),
      ],
      settings,
    );
    expect(culprit).toBeNull();
  });

  it('blames nothing when no single value explains most of it', () => {
    expect(pickCulprit([item('region', 'eu', 50, 0.3, true), item('region', 'na', 50, 0.3, true)], settings)).toBeNull();
  });

  it('surprise grows as the anomaly concentrates away from normal traffic', () => {
    expect(surprise(0.02, 0.97)).toBeGreaterThan(surprise(0.5, 0.97));
    expect(surprise(0.5, 0.5)).toBeCloseTo(0, 12);
  });
});

describe('release linking', () => {
  const rel = (appVersion: string, releasedAt: number): Release => ({
    id: `${appVersion}@${releasedAt}`,
    app: 'a',
    appVersion,
    platform: 'ios',
    releasedAt,
    rolloutPercent: null,
    notes: null,
    createdAt: releasedAt,
  });
  const started = 1_000 * MIN;
  const culprit = { dimension: 'appVersion' as const, value: '5.2.0' };

  it('links the newest release of the version registered before the start', () => {
    const releases = [rel('5.2.0', started - 120 * MIN), rel('5.2.0', started - 10 * MIN), rel('5.1.0', started - 5 * MIN)];
    expect(linkRelease(culprit, releases, started, settings)).toEqual({ appVersion: '5.2.0', releasedAt: started - 10 * MIN });
  });

  it('still links a release registered within the grace period after the estimated start', () => {
    expect(linkRelease(culprit, [rel('5.2.0', started + 4 * MIN)], started, settings)?.releasedAt).toBe(started + 4 * MIN);
  });

  it('does not link a release registered well after the start, nor for other dimensions', () => {
    expect(linkRelease(culprit, [rel('5.2.0', started + 30 * MIN)], started, settings)).toBeNull();
    expect(linkRelease({ dimension: 'region', value: '5.2.0' }, [rel('5.2.0', started - MIN)], started, settings)).toBeNull();
  });
});
