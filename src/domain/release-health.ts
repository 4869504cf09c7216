import { materialRate, minAbsoluteExcess, testUnit, unitBaseline, type RateContext } from './detector/error-rate';
import type { DetectorSettings } from './detector/settings';
import { sum, unitKey, type MinuteSeries, type Unit, type UnitSeries } from './detector/series';
import { wilson } from './detector/stats';
import { count, duration, percent } from './format';
import type { Bucket, Counts } from './types';

/**
 * The release health gate: is a new app version failing logins more than the other versions over the same minutes?
 * It asks the detector's own questions, so the gate and the pager never disagree:
 * - unhealthy: the detector's slice test (`testUnit`: significant, material, sustained, confirmed by failing users)
 *   finds excess failures in the version against the other versions, over any of the detector's windows or over the
 *   whole time since the release;
 * - healthy: the version's failure rate is credibly below the smallest excess that would matter (`materialRate`):
 *   the upper Wilson bound at the detector's `clearZ` (its yardstick for "back to normal") is under it, against
 *   a baseline of at least `minBaselineAttempts` logins;
 * - insufficient_data: neither yet. A staged rollout waits until the evidence decides.
 */
export type ReleaseVerdict = 'healthy' | 'unhealthy' | 'insufficient_data';

export interface ReleaseHealthInput {
  appVersion: string;
  /** The versions to compare against; null: every other version with logins in the same minutes. */
  baselineVersions: readonly string[] | null;
  /** Closed minute buckets of the window being judged, ascending, one per minute (zero-filled). */
  minutes: readonly Bucket[];
}

export interface ReleaseHealth {
  verdict: ReleaseVerdict;
  appVersion: string;
  /** The versions the comparison used, busiest first. */
  baselineVersions: string[];
  /** null when there were no logins to divide by. */
  failureRate: number | null;
  baselineFailureRate: number | null;
  attempts: number;
  failures: number;
  baselineAttempts: number;
  /** The minutes in which the version had logins: the ones judged. */
  minutes: number;
  /** One sentence a release manager can read in a CI log. */
  evidence: string;
}

const ZERO: Counts = { attempts: 0, failures: 0, users: 0, failedUsers: 0 };

function emptyUnit(unit: Unit, length: number): UnitSeries {
  const zeros = () => new Array<number>(length).fill(0);
  return { unit, attempts: zeros(), failures: zeros(), users: zeros(), failedUsers: zeros() };
}

function add(series: UnitSeries, i: number, c: Counts): void {
  series.attempts[i] = (series.attempts[i] as number) + c.attempts;
  series.failures[i] = (series.failures[i] as number) + c.failures;
  series.users[i] = (series.users[i] as number) + c.users;
  series.failedUsers[i] = (series.failedUsers[i] as number) + c.failedUsers;
}

/** The baseline versions: the ones asked for, or every other version with logins in the minutes judged, busiest first. */
function baselineOf(input: ReleaseHealthInput, judged: readonly Bucket[]): string[] {
  if (input.baselineVersions) return input.baselineVersions.filter((v) => v !== input.appVersion);
  const attempts = new Map<string, number>();
  for (const bucket of judged) {
    for (const [version, c] of Object.entries(bucket.slices.appVersion)) {
      if (version !== input.appVersion && c.attempts > 0) attempts.set(version, (attempts.get(version) ?? 0) + c.attempts);
    }
  }
  return [...attempts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([v]) => v);
}

/**
 * The two-unit series the detector's tests read: the version as a slice, and the version plus its baseline as the
 * whole (so the slice's complement, its baseline of the same minutes, is exactly the baseline versions).
 */
function seriesOf(input: ReleaseHealthInput, judged: readonly Bucket[], baseline: readonly string[]): MinuteSeries {
  const version = emptyUnit({ key: unitKey('appVersion', input.appVersion), dimension: 'appVersion', value: input.appVersion }, judged.length);
  const total = emptyUnit({ key: '*', dimension: null, value: null }, judged.length);
  judged.forEach((bucket, i) => {
    const own = bucket.slices.appVersion[input.appVersion] ?? ZERO;
    add(version, i, own);
    add(total, i, own);
    for (const v of baseline) add(total, i, bucket.slices.appVersion[v] ?? ZERO);
  });
  return { at: judged.map((b) => b.at), total, slices: [version] };
}

export function judgeRelease(input: ReleaseHealthInput, settings: DetectorSettings): ReleaseHealth {
  // The minutes the version had logins in: its users' time of day, compared with the other versions' at that time.
  const judged = input.minutes.filter((b) => (b.slices.appVersion[input.appVersion]?.attempts ?? 0) > 0);
  const baselineVersions = baselineOf(input, judged);
  const series = seriesOf(input, judged, baselineVersions);
  const version = series.slices[0] as UnitSeries;
  const n = judged.length;
  const attempts = sum(version.attempts, 0, n);
  const failures = sum(version.failures, 0, n);
  const baselineAttempts = sum(series.total.attempts, 0, n) - attempts;
  const baselineFailures = sum(series.total.failures, 0, n) - failures;
  const facts = {
    appVersion: input.appVersion,
    baselineVersions,
    failureRate: attempts > 0 ? failures / attempts : null,
    baselineFailureRate: baselineAttempts > 0 ? baselineFailures / baselineAttempts : null,
    attempts,
    failures,
    baselineAttempts,
    minutes: n,
  };
  const spanMs = n > 0 ? (judged[n - 1] as Bucket).at + 60_000 - (judged[0] as Bucket).at : 0;
  const observed =
    `${input.appVersion}: ${count(failures)} of ${count(attempts)} logins failed` +
    (attempts > 0 ? ` (${percent(failures / attempts)})` : '') +
    (n > 0 ? ` over ${duration(spanMs)}` : '') +
    (baselineAttempts > 0
      ? `; other versions (${baselineVersions.join(', ')}) ${percent(baselineFailures / baselineAttempts)} of ${count(baselineAttempts)}`
      : '; no other version had logins in those minutes');

  // No floor: the baseline is the other versions over these minutes only (history plays no part).
  const ctx: RateContext = { series, baseline: null, floor: 0, settings: withWholeWindow(settings, n) };
  const evidence = attempts > 0 && baselineAttempts > 0 ? testUnit(ctx, version) : null;
  if (evidence) {
    const rate = evidence.failures / evidence.attempts;
    return {
      ...facts,
      verdict: 'unhealthy',
      evidence:
        `${observed}. Over its last ${duration((n - evidence.from) * 60_000)} ${percent(rate)} failed against ` +
        `${percent(evidence.baseline.rate)} expected (p = ${Math.exp(evidence.logP).toExponential(1)}): unhealthy.`,
    };
  }
  const base = baselineAttempts > 0 ? unitBaseline(ctx, version, 0, n) : null;
  if (!base || baselineAttempts < settings.errorRate.minBaselineAttempts) {
    return {
      ...facts,
      verdict: 'insufficient_data',
      evidence: `${observed}. The other versions need ${count(settings.errorRate.minBaselineAttempts)} logins in the same minutes to judge against: insufficient data.`,
    };
  }
  const threshold = materialRate(base.rate, minAbsoluteExcess(version.unit, settings), settings);
  const upper = wilson(failures, attempts, settings.episodes.clearZ).high;
  if (attempts > 0 && upper < threshold) {
    return {
      ...facts,
      verdict: 'healthy',
      evidence: `${observed}. Its failure rate is at most ${percent(upper)} (upper bound), under the ${percent(threshold)} that would be an incident: healthy.`,
    };
  }
  return {
    ...facts,
    verdict: 'insufficient_data',
    evidence:
      `${observed}. No significant excess yet, but the failure rate could still be up to ${percent(upper)}, ` +
      `above the ${percent(threshold)} that would be an incident: insufficient data, more logins on ${input.appVersion} needed.`,
  };
}

/** The detector's windows plus the whole time judged, so a bad version is caught however its failures spread. */
function withWholeWindow(settings: DetectorSettings, minutes: number): DetectorSettings {
  if (minutes === 0 || settings.windowsMinutes.includes(minutes)) return settings;
  return { ...settings, windowsMinutes: [...settings.windowsMinutes, minutes] };
}
