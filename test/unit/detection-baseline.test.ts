import shipped from '../../config/detector.json';
import { buildBaseline, historyRange, profileAt } from '../../src/domain/detector/baseline';
import { DetectorSettingsSchema } from '../../src/domain/detector/settings';
import type { Bucket } from '../../src/domain/types';

const settings = DetectorSettingsSchema.parse(shipped);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2024, 0, 8, 14, 20);

function hour(at: number, attempts: number, failures: number): Bucket {
  const c = { attempts, failures, users: attempts, failedUsers: failures };
  return { at, total: c, slices: { appVersion: { '5.1.0': c }, platform: { ios: c }, osVersion: {}, region: {} }, errorCodes: {} };
}

/** Hourly buckets for the week before NOW: `fn(at)` gives [attempts, failures]. */
function week(fn: (at: number) => [number, number]): Bucket[] {
  const out: Bucket[] = [];
  for (let at = NOW - (NOW % HOUR) - 7 * DAY; at < NOW - (NOW % HOUR); at += HOUR) out.push(hour(at, ...fn(at)));
  return out;
}

describe('baseline', () => {
  it('is read once an hour', () => {
    const range = historyRange(null, NOW, settings);
    expect(range).toEqual({ from: NOW - (NOW % HOUR) - 7 * DAY, to: NOW - (NOW % HOUR) });
    const b = buildBaseline(week(() => [1000, 15]), NOW, settings);
    expect(historyRange(b, NOW + 30 * 60_000, settings)).toBeNull();
    expect(historyRange(b, NOW + HOUR, settings)).not.toBeNull();
  });

  it('uses the same time on previous days where history exists: afternoons fail 3%, nights 1%', () => {
    const b = buildBaseline(week((at) => (new Date(at).getUTCHours() >= 12 ? [1000, 30] : [1000, 10])), NOW, settings);
    expect(b.source).toBe('time_of_day');
    // 13:00-15:59 on the 7 previous days, but for 13:00 a week ago (before the history read).
    expect(b.rates['*']).toMatchObject({ failures: 30 * 20, attempts: 1000 * 20 });
  });

  it('falls back to the recent level without same-time history', () => {
    const b = buildBaseline(
      week((at) => (at >= NOW - 6 * HOUR ? [1000, 20] : [0, 0])),
      NOW,
      settings,
    );
    expect(b.source).toBe('recent');
    expect((b.rates['*']?.failures ?? 0) / (b.rates['*']?.attempts ?? 1)).toBeCloseTo(0.02, 10);
    expect(b.volume).toBeNull();
  });

  it('leaves yesterday\'s incident out of today\'s normal', () => {
    const incident = NOW - DAY - (NOW % HOUR);
    const b = buildBaseline(week((at) => (at === incident ? [1000, 400] : [1000, 15])), NOW, settings);
    expect(b.rates['*']).toMatchObject({ failures: 15 * 19, attempts: 1000 * 19 });
  });

  it('is as sure of a rate as the spread of its hours allows: steady days count fully, days that differ much less', () => {
    // Every same-time hour at 15 of 1000: binomially consistent, as sure as the 20 000 pooled attempts.
    const steady = buildBaseline(week(() => [1000, 15]), NOW, settings);
    expect(steady.rates['*']?.concentration).toBe(20_000);
    // Alternate days at 5 and 25 of 1000: the normal rate itself moves, so history is worth far fewer attempts.
    const moving = buildBaseline(week((at) => [1000, Math.floor(at / DAY) % 2 === 0 ? 5 : 25]), NOW, settings);
    expect(moving.rates['*']?.concentration).toBeLessThan(1000);
    expect(moving.rates['*']?.concentration).toBeGreaterThan(100);
  });

  it('profiles expected logins per minute by time of day, interpolated between hours', () => {
    const b = buildBaseline(week((at) => [new Date(at).getUTCHours() * 600, 0]), NOW, settings);
    expect(b.volume).not.toBeNull();
    // Half past 14:00 is the centre of the 14:00 slot: 14 × 600 per hour = 140 a minute.
    expect(profileAt(b.volume ?? [], NOW - (NOW % HOUR) + 30 * 60_000 - 30_000)).toBeCloseTo(140, 6);
  });
});
