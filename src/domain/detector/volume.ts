import type { SliceDimension } from '../types';
import type { AttributionItem } from './attribution';
import { profileAt, type Baseline } from './baseline';
import { shortestFirst, type DetectorSettings } from './settings';
import { logPoissonLower } from './stats';
import { sum, type MinuteSeries, type Unit, type UnitSeries } from './series';

/**
 * Dimensions whose slices are checked for a collapse of their own. App versions are too, but they hand their users
 * over to the next one by design, so a version's drop only counts when its missing logins are missing from the whole
 * app as well (see `versionDropIsShared`): a version that crashes before login on a partial roll-out, while the other
 * versions go on as before.
 */
const VOLUME_DIMENSIONS: readonly SliceDimension[] = ['appVersion', 'platform', 'osVersion', 'region'];

/**
 * A version's collapse is an outage only if the app as a whole lost at least `versionMinAppMissing` of the logins the
 * version lost over the same minutes; in a roll-out the other versions gain what one loses and the app's total holds.
 */
function versionDropIsShared(
  series: MinuteSeries,
  shape: readonly number[],
  evidence: VolumeEvidence,
  settings: DetectorSettings,
): boolean {
  const level = referenceLevel(series.total, shape, settings);
  if (level === null) return false;
  const to = series.at.length;
  const appMissing = level * sum(shape, evidence.from, to) - sum(series.total.attempts, evidence.from, to);
  return appMissing >= settings.volume.versionMinAppMissing * (evidence.expected - evidence.observed);
}

/** Expected-shape of traffic per minute: the time-of-day profile of previous days, flat without history. */
export function trafficShape(series: MinuteSeries, baseline: Baseline | null): number[] {
  const profile = baseline?.volume;
  return series.at.map((at) => (profile ? profileAt(profile, at) : 1));
}

/**
 * The drop that counts as a collapse. Without a time-of-day profile the expectation is flat, so the evening decline
 * or a lighter weekend starting at midnight already look like a partial drop; only a deeper one is believed.
 */
export function minDropFor(baseline: Baseline | null, settings: DetectorSettings): number {
  return baseline?.volume ? settings.volume.minDrop : settings.volume.minDropWithoutHistory;
}

export interface VolumeEvidence {
  unit: Unit;
  from: number;
  observed: number;
  expected: number;
  /** Observed / shape over the reference minutes: how busy this unit is relative to the profile today. */
  level: number;
  logP: number;
}

/**
 * The unit's traffic level relative to the profile over the reference minutes before the window. Measuring the
 * level just before the window makes the test insensitive to weekends, growth and holidays (a whole day that is
 * lighter), while the profile's shape keeps the nightly dip from looking like a drop.
 */
export function longestVolumeWindow(settings: DetectorSettings): number {
  return Math.max(...settings.volume.windowsMinutes);
}

export function referenceLevel(unit: UnitSeries, shape: readonly number[], settings: DetectorSettings): number | null {
  const to = unit.attempts.length - longestVolumeWindow(settings);
  const from = Math.max(0, to - settings.volume.referenceMinutes);
  const shapeSum = sum(shape, from, to);
  const observed = sum(unit.attempts, from, to);
  return shapeSum > 0 && observed > 0 ? observed / shapeSum : null;
}

/** Pearson dispersion of the reference minutes around their expectation: how much wider than Poisson traffic is. */
function dispersion(unit: UnitSeries, shape: readonly number[], level: number, settings: DetectorSettings): number {
  const to = unit.attempts.length - longestVolumeWindow(settings);
  const from = Math.max(0, to - settings.volume.referenceMinutes);
  let chi2 = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const e = level * (shape[i] as number);
    if (e <= 0) continue;
    chi2 += ((unit.attempts[i] as number) - e) ** 2 / e;
    n++;
  }
  if (n < 10) return settings.volume.maxOverdispersion;
  return Math.min(settings.volume.maxOverdispersion, Math.max(1, chi2 / (n - 1)));
}

function dropLogP(observed: number, expected: number, phi: number): number {
  return logPoissonLower(observed / phi, expected / phi);
}

/** Tests one unit over each window, shortest first: a deep collapse shows in minutes, a shallower one takes longer. */
export function testVolume(
  unit: UnitSeries,
  shape: readonly number[],
  floor: number,
  minDrop: number,
  settings: DetectorSettings,
): VolumeEvidence | null {
  const level = referenceLevel(unit, shape, settings);
  if (level === null) return null;
  const phi = dispersion(unit, shape, level, settings);
  const to = unit.attempts.length;
  for (const w of shortestFirst(settings.volume.windowsMinutes)) {
    const from = Math.max(0, to - w, floor);
    if (to - from < settings.errorRate.minBadMinutes) continue;
    const logP = windowLogP(unit, shape, level, phi, from, to, minDrop, settings);
    if (logP !== null) {
      const expected = level * sum(shape, from, to);
      return { unit: unit.unit, from, observed: sum(unit.attempts, from, to), expected, level, logP };
    }
  }
  return null;
}

function windowLogP(
  unit: UnitSeries,
  shape: readonly number[],
  level: number,
  phi: number,
  from: number,
  to: number,
  minDrop: number,
  settings: DetectorSettings,
): number | null {
  const v = settings.volume;
  const expected = level * sum(shape, from, to);
  const observed = sum(unit.attempts, from, to);
  if (expected < v.minExpected || observed > expected * (1 - minDrop)) return null;
  const logP = dropLogP(observed, expected, phi);
  const maxLogP = Math.log(v.maxPValue);
  if (logP > maxLogP) return null;
  // Sustained: low in several minutes, and still significant without its emptiest minute (a late last bucket).
  let lowMinutes = 0;
  let worst = from;
  let worstGap = -Infinity;
  for (let i = from; i < to; i++) {
    const e = level * (shape[i] as number);
    const gap = e - (unit.attempts[i] as number);
    if ((unit.attempts[i] as number) < e * (1 - minDrop)) lowMinutes++;
    if (gap > worstGap) {
      worstGap = gap;
      worst = i;
    }
  }
  if (lowMinutes < settings.errorRate.minBadMinutes) return null;
  const worstExpected = level * (shape[worst] as number);
  if (dropLogP(observed - (unit.attempts[worst] as number), expected - worstExpected, phi) > maxLogP) return null;
  return logP;
}

/** The whole app and every app version, platform, OS version and region whose logins collapsed, strongest first. */
export function findVolumeEvidence(
  series: MinuteSeries,
  shape: readonly number[],
  floor: number,
  minDrop: number,
  settings: DetectorSettings,
) {
  const units = [series.total, ...series.slices.filter((s) => s.unit.dimension && VOLUME_DIMENSIONS.includes(s.unit.dimension))];
  const found: VolumeEvidence[] = [];
  for (const unit of units) {
    const evidence = testVolume(unit, shape, floor, minDrop, settings);
    if (!evidence) continue;
    if (unit.unit.dimension === 'appVersion' && !versionDropIsShared(series, shape, evidence, settings)) continue;
    found.push(evidence);
  }
  return found.sort((a, b) => a.logP - b.logP);
}

/** Still collapsed: the recent minutes below `expected` (the unit's logins per minute) by at least half the opening drop. */
export function stillDropped(unit: UnitSeries, expected: readonly number[], settings: DetectorSettings): boolean {
  const to = unit.attempts.length;
  const from = Math.max(0, to - settings.episodes.clearWindowMinutes);
  const total = sum(expected, from, to);
  return total > 0 && sum(unit.attempts, from, to) < total * (1 - settings.volume.minDrop / 2);
}

/**
 * Where the logins went missing, value by value: each slice's observed logins against its own reference level,
 * app versions included (a version that crashes on launch loses all of its logins while the others keep theirs).
 */
export function volumeAttributionItems(series: MinuteSeries, shape: readonly number[], from: number, settings: DetectorSettings) {
  const to = series.at.length;
  const shapeSum = sum(shape, from, to);
  const totalLevel = referenceLevel(series.total, shape, settings);
  if (totalLevel === null) return [];
  const totalExpected = totalLevel * shapeSum;
  const totalObserved = sum(series.total.attempts, from, to);
  const items: AttributionItem[] = [];
  for (const slice of series.slices) {
    const { dimension, value } = slice.unit;
    if (!dimension || value === null) continue;
    const level = referenceLevel(slice, shape, settings);
    if (level === null) continue;
    const expected = level * shapeSum;
    const observed = sum(slice.attempts, from, to);
    const complementExpected = totalExpected - expected;
    const complementRetention = complementExpected > 0 ? (totalObserved - observed) / complementExpected : 0;
    const retention = expected > 0 ? observed / expected : 1;
    items.push({
      dimension,
      value,
      excess: expected - observed,
      normalShare: totalLevel > 0 ? level / totalLevel : 0,
      concentrated: complementRetention > 0 && complementRetention >= settings.attribution.minRateRatio * retention,
    });
  }
  return items;
}
