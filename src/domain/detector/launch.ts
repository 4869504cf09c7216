import type { Release } from '../types';
import { excessLogP } from './error-rate';
import type { DetectorSettings } from './settings';
import { sum, type MinuteSeries, type UnitSeries } from './series';

/**
 * A release that crashes at launch. A new version rolls out on one platform and most of its users never reach the
 * login screen again: the version shows few logins, its platform's old versions lose the users who updated as in any
 * roll-out, and the platform's volume sinks as adoption grows. Early in a roll-out of an hour or two the platform has
 * lost only a few percent, far from what the time-of-day volume test calls a drop, and the version itself has no
 * normal level to fall from.
 *
 * What gives it away is conservation: in a healthy roll-out the logins the platform's old versions lose reappear on
 * the new version, so the platform's share of all logins holds. Here they vanish. The test compares the platform's
 * share of logins since the version appeared with its share before (the other platforms are the control, so the
 * daily cycle and the minute-to-minute swings of traffic that hit every platform alike cancel out), and blames the
 * version when the platform's missing logins outnumber what the version kept: of the logins its users would have
 * made (what it shows plus what went missing), at least `volume.minDrop` are gone.
 */
export interface LaunchEvidence {
  /** The new version (an `appVersion` value). */
  version: string;
  /** Unit key of the platform it ships on, e.g. `platform=ios`: the unit whose logins go missing. */
  group: string;
  /** Index of the version's first minute in the series (its release, or its first logins, whichever is earlier). */
  from: number;
  /** The platform's share of all logins before the version appeared. */
  share: number;
  /** The platform's logins missing since `from`, against its share of the other platforms' logins. */
  missing: number;
  /** Logins the version showed since `from`. */
  kept: number;
  logP: number;
}

/** The index of the version's first minute: its release within the series, or its first logins if earlier; null if it was there all along. */
function firstMinute(series: MinuteSeries, version: UnitSeries, releases: readonly Release[]): number | null {
  const seen = version.attempts.findIndex((n) => n > 0);
  const start = series.at[0] ?? 0;
  let released: number | null = null;
  for (const r of releases) {
    if (r.appVersion !== version.unit.value || r.releasedAt < start) continue;
    const i = series.at.findIndex((at) => at >= r.releasedAt);
    if (i !== -1 && (released === null || i < released)) released = i;
  }
  if (released !== null) return seen === -1 ? released : Math.min(seen, released);
  return seen > 0 ? seen : null;
}

/** Platforms the version may ship on: the one its release names, else every platform seen. */
function groupsOf(series: MinuteSeries, version: string, releases: readonly Release[]): UnitSeries[] {
  const platforms = series.slices.filter((s) => s.unit.dimension === 'platform');
  const named = new Set(releases.filter((r) => r.appVersion === version && r.platform !== null).map((r) => r.platform as string));
  return named.size > 0 ? platforms.filter((p) => named.has(p.unit.value as string)) : platforms;
}

/** Pearson dispersion of the group's per-minute share around `share` over [from, to): how much wider than binomial. */
export function shareDispersion(group: UnitSeries, total: UnitSeries, share: number, from: number, to: number, settings: DetectorSettings): number {
  let chi2 = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const all = total.attempts[i] as number;
    if (all <= 0) continue;
    chi2 += ((group.attempts[i] as number) - share * all) ** 2 / (all * share * (1 - share));
    n++;
  }
  if (n < 10) return settings.volume.maxOverdispersion;
  return Math.min(settings.volume.maxOverdispersion, Math.max(1, chi2 / (n - 1)));
}

/**
 * log p-value that the other platforms took more than their share of logins over [from, to) (equivalently, the group
 * less), against the share before, with its overdispersion and the reference's own uncertainty.
 */
function lossLogP(group: UnitSeries, total: UnitSeries, share: number, phi: number, referenceTotal: number, from: number, to: number, skip: number): number {
  const all = sum(total.attempts, from, to) - (skip >= 0 ? (total.attempts[skip] as number) : 0);
  const mine = sum(group.attempts, from, to) - (skip >= 0 ? (group.attempts[skip] as number) : 0);
  return excessLogP(all - mine, all, phi, { rate: 1 - share, concentration: Math.max(2, referenceTotal / phi) });
}

function testLaunch(
  series: MinuteSeries,
  version: UnitSeries,
  group: UnitSeries,
  from: number,
  settings: DetectorSettings,
): LaunchEvidence | null {
  const { total } = series;
  const to = series.at.length;
  const referenceTotal = sum(total.attempts, 0, from);
  const referenceGroup = sum(group.attempts, 0, from);
  if (referenceGroup <= 0 || referenceGroup >= referenceTotal) return null;
  const share = referenceGroup / referenceTotal;
  const others = sum(total.attempts, from, to) - sum(group.attempts, from, to);
  const missing = (others * share) / (1 - share) - sum(group.attempts, from, to);
  const kept = sum(version.attempts, from, to);
  const v = settings.volume;
  // The version's users would have logged in `kept + missing` times: too few to judge, or most of them still do.
  if (kept + missing < v.minExpected || missing < v.minDrop * (kept + missing)) return null;
  if (missing < settings.launch.minMissingShare * (missing + sum(group.attempts, from, to))) return null;
  const phi = shareDispersion(group, total, share, 0, from, settings);
  const logP = lossLogP(group, total, share, phi, referenceTotal, from, to, -1);
  const maxLogP = Math.log(settings.launch.maxPValue);
  if (logP > maxLogP) return null;
  // Sustained: still significant without the minute the group lost most in (a late bucket of one platform's batcher).
  let worst = from;
  let worstGap = -Infinity;
  for (let i = from; i < to; i++) {
    const gap = share * (total.attempts[i] as number) - (group.attempts[i] as number);
    if (gap > worstGap) {
      worstGap = gap;
      worst = i;
    }
  }
  if (lossLogP(group, total, share, phi, referenceTotal, from, to, worst) > maxLogP) return null;
  return { version: version.unit.value as string, group: group.unit.key, from, share, missing, kept, logP };
}

/** Every new version whose platform's logins vanish since it appeared, strongest first. */
export function findLaunchEvidence(
  series: MinuteSeries,
  releases: readonly Release[],
  floor: number,
  settings: DetectorSettings,
): LaunchEvidence[] {
  const found: LaunchEvidence[] = [];
  for (const version of series.slices) {
    if (version.unit.dimension !== 'appVersion') continue;
    const first = firstMinute(series, version, releases);
    // Judged only with enough minutes before it to know the platform's share, and only on minutes after the last recovery.
    if (first === null || first < settings.launch.referenceMinutes || first < floor) continue;
    for (const group of groupsOf(series, version.unit.value as string, releases)) {
      const evidence = testLaunch(series, version, group, first, settings);
      if (evidence) found.push(evidence);
    }
  }
  return found.sort((a, b) => a.logP - b.logP);
}

/** The group's expected logins per minute from the other platforms' logins and its share before the version appeared. */
export function launchExpected(series: MinuteSeries, group: UnitSeries, share: number): number[] {
  return series.total.attempts.map((all, i) => ((all - (group.attempts[i] as number)) * share) / (1 - share));
}

/**
 * Still crashing: over the last volume window the platform is still missing at least half the opening drop's share of
 * the logins the version's users would have made. Once a fix ships, the version keeps its users and this turns false.
 */
export function stillLosing(group: UnitSeries, version: UnitSeries | null, expected: readonly number[], settings: DetectorSettings): boolean {
  const to = group.attempts.length;
  const from = Math.max(0, to - Math.max(...settings.volume.windowsMinutes));
  const missing = sum(expected, from, to) - sum(group.attempts, from, to);
  const kept = version ? sum(version.attempts, from, to) : 0;
  return missing > 0 && missing >= (settings.volume.minDrop / 2) * (missing + kept);
}
