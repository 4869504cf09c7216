import type { AttributionItem } from './attribution';
import type { Baseline } from './baseline';
import { shortestFirst, type DetectorSettings } from './settings';
import { logBetaBinomialUpper, wilson } from './stats';
import { OVERALL, sum, type MinuteSeries, type Unit, type UnitSeries } from './series';

/** What normal looks like for one unit: a rate and how sure we are of it (a Beta(rate·κ, (1-rate)·κ) prior). */
export interface RateBaseline {
  rate: number;
  concentration: number;
}

/** Sustained, significant and material excess of failures in one unit over one window. */
export interface RateEvidence {
  unit: Unit;
  /** Index of the window's first minute in the series. */
  from: number;
  failures: number;
  attempts: number;
  baseline: RateBaseline;
  logP: number;
  /** Found by the creep test (see `creepCheck`): judged against the unit's time-of-day history with `creep.minAbsoluteExcess`. */
  creep?: boolean;
}

/** Jeffreys-style smoothing: a unit with 0 failures so far is not believed to never fail. */
function smoothedRate(failures: number, attempts: number): number {
  return (failures + 0.5) / (attempts + 1);
}

/**
 * Minute-to-minute failure counts vary more than a binomial would (retries, bursts). With an intra-minute
 * correlation ρ a minute of n attempts has variance inflated by 1 + (n - 1)ρ; a window's inflation is the
 * attempt-weighted mean over its minutes. Small minutes stay almost binomial, busy ones are discounted.
 */
function inflation(attempts: readonly number[], from: number, to: number, rho: number): number {
  let weighted = 0;
  let total = 0;
  for (let i = from; i < to; i++) {
    const n = attempts[i] as number;
    weighted += inflated(n, rho);
    total += n;
  }
  return total > 0 ? weighted / total : 1;
}

/** A minute of n attempts, weighted by its variance inflation. */
const inflated = (n: number, rho: number) => n * (1 + Math.max(0, n - 1) * rho);

/** log p-value of `failures` of `attempts` against the baseline, with overdispersion and baseline uncertainty. */
export function excessLogP(failures: number, attempts: number, phi: number, baseline: RateBaseline): number {
  const n = Math.round(attempts / phi);
  const k = Math.min(n, Math.round(failures / phi));
  const a = baseline.rate * baseline.concentration;
  return logBetaBinomialUpper(k, n, a, baseline.concentration - a);
}

/** The whole app's normal rate: history when there is enough, topped up with the minutes before the window. */
export function overallBaseline(
  series: MinuteSeries,
  before: number,
  baseline: Baseline | null,
  settings: DetectorSettings,
): RateBaseline | null {
  const hist = baseline?.rates[OVERALL.key];
  let failures = hist?.failures ?? 0;
  let attempts = hist?.attempts ?? 0;
  if (attempts < settings.errorRate.minBaselineAttempts) {
    failures += sum(series.total.failures, 0, before);
    attempts += sum(series.total.attempts, 0, before);
  }
  if (attempts === 0) return null;
  // A baseline from a handful of attempts gets a wide prior, which keeps the test honest rather than silent.
  return {
    rate: smoothedRate(failures, attempts),
    concentration: Math.max(2, Math.min(attempts, settings.errorRate.maxBaselineConcentration)),
  };
}

/** A slice's own normal rate from history, shrunk towards the app's: a version never seen before is judged normal-like. */
export function sliceHistoryRate(
  key: string,
  overall: RateBaseline,
  baseline: Baseline | null,
  settings: DetectorSettings,
): RateBaseline {
  const own = baseline?.rates[key] ?? { failures: 0, attempts: 0 };
  const m = settings.errorRate.slicePriorAttempts;
  const attempts = own.attempts + m;
  return {
    rate: attempts > 0 ? (own.failures + m * overall.rate) / attempts : overall.rate,
    concentration: Math.min(Math.max(attempts, 2), settings.errorRate.maxBaselineConcentration),
  };
}

/**
 * A slice is judged against its complement over the same minutes (what the other versions, regions… do right
 * now), and never below its own history: a new version is caught on its first minutes, without weeks of history,
 * and an old OS that always fails a little more does not page.
 */
function sliceBaseline(
  slice: UnitSeries,
  total: UnitSeries,
  from: number,
  to: number,
  overall: RateBaseline | null,
  baseline: Baseline | null,
  settings: DetectorSettings,
): RateBaseline | null {
  const { minuteCorrelation, maxBaselineConcentration } = settings.errorRate;
  // The complement's attempts and their inflation (see `inflation`) in one pass, without an array per unit and window.
  let nc = 0;
  let weighted = 0;
  for (let i = from; i < to; i++) {
    const n = (total.attempts[i] as number) - (slice.attempts[i] as number);
    weighted += inflated(n, minuteCorrelation);
    nc += n;
  }
  const fc = sum(total.failures, from, to) - sum(slice.failures, from, to);
  const now: RateBaseline | null =
    nc > 0
      ? {
          rate: smoothedRate(fc, nc),
          concentration: Math.min(Math.max(nc / (weighted / nc), 2), maxBaselineConcentration),
        }
      : null;
  const history = overall ? sliceHistoryRate(slice.unit.key, overall, baseline, settings) : null;
  if (!now) return history;
  if (!history) return now;
  return history.rate > now.rate ? history : now;
}

interface WindowCheck {
  failures: number;
  attempts: number;
  logP: number;
}

/** Practical significance: an excess worth waking someone for, whatever the p-value. */
function material(series: UnitSeries, from: number, to: number, base: RateBaseline, minAbs: number, settings: DetectorSettings) {
  const s = settings.errorRate;
  const failures = sum(series.failures, from, to);
  const attempts = sum(series.attempts, from, to);
  if (attempts === 0 || failures < s.minFailures) return null;
  const rate = failures / attempts;
  if (rate < base.rate + minAbs || rate < base.rate * s.minRelativeExcess) return null;
  if (failures - attempts * base.rate < s.minExcessFailures) return null;
  const users = sum(series.users, from, to);
  if (users > 0 && sum(series.failedUsers, from, to) < s.minFailedUsers) return null;
  return { failures, attempts };
}

/** The absolute excess that matters for a unit on the ordinary tests: slices are noisier than the whole app. */
export function minAbsoluteExcess(unit: Unit, settings: DetectorSettings): number {
  const s = settings.errorRate;
  return unit.dimension === null ? s.overallMinAbsoluteExcess : s.sliceMinAbsoluteExcess;
}

function check(
  series: UnitSeries,
  from: number,
  to: number,
  base: RateBaseline,
  rho: () => number,
  minAbs: number,
  settings: DetectorSettings,
): WindowCheck | null {
  const counts = material(series, from, to, base, minAbs, settings);
  if (!counts) return null;
  const phi = inflation(series.attempts, from, to, rho());
  const logP = excessLogP(counts.failures, counts.attempts, phi, base);
  if (logP > Math.log(settings.errorRate.maxPValue)) return null;
  return { ...counts, logP };
}

/**
 * When the counts carry users, failing users must be in excess too, against what the same reference says about
 * users: the complement over the same minutes for a slice, the unit's minutes before the window for the whole app
 * (or a slice with no complement). A retry
 * storm (one user failing 5-20 times in a minute) inflates failures, not failing users; a real failure hits users.
 * True when the counts carry no users (raw events without user ids): then failures are all there is.
 */
function usersAgree(series: UnitSeries, total: UnitSeries, from: number, to: number, rho: number, settings: DetectorSettings): boolean {
  const users = sum(series.users, from, to);
  if (users === 0) return true;
  const failedUsers = sum(series.failedUsers, from, to);
  let refUsers = series.unit.dimension === null ? 0 : sum(total.users, from, to) - users;
  let refFailed = series.unit.dimension === null ? 0 : sum(total.failedUsers, from, to) - failedUsers;
  if (refUsers <= 0) {
    // The whole app, or a slice that is all of today's traffic: its own minutes before the window.
    refUsers = sum(series.users, 0, from);
    refFailed = sum(series.failedUsers, 0, from);
  }
  if (refUsers <= 0) return true;
  const base: RateBaseline = {
    rate: smoothedRate(refFailed, refUsers),
    concentration: Math.max(2, Math.min(refUsers, settings.errorRate.maxBaselineConcentration)),
  };
  const phi = inflation(series.users, from, to, rho);
  return excessLogP(failedUsers, users, phi, base) <= Math.log(settings.errorRate.maxPValue);
}

/**
 * Sustained, not one bad minute: the excess must show in several minutes, and the window must stay significant
 * with its worst minute taken out (a retry storm of one user in one minute does not page).
 */
function sustained(series: UnitSeries, from: number, to: number, base: RateBaseline, rho: number, settings: DetectorSettings): boolean {
  let badMinutes = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  for (let i = from; i < to; i++) {
    const f = series.failures[i] as number;
    const excess = f - (series.attempts[i] as number) * base.rate;
    if (f >= 1 && excess > 0) badMinutes++;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (badMinutes < settings.errorRate.minBadMinutes) return false;
  const failures = sum(series.failures, from, to) - (series.failures[worst] as number);
  const attempts = sum(series.attempts, from, to) - (series.attempts[worst] as number);
  const phi = inflation(series.attempts, from, to, rho);
  return excessLogP(failures, attempts, phi, base) <= Math.log(settings.errorRate.maxPValue);
}

export interface RateContext {
  series: MinuteSeries;
  baseline: Baseline | null;
  /** Index of the first minute that may count as evidence (after the last recovery). */
  floor: number;
  settings: DetectorSettings;
}

/** The baseline a unit is judged against over minutes [from, to). */
export function unitBaseline(ctx: RateContext, unit: UnitSeries, from: number, to: number): RateBaseline | null {
  const overall = overallBaseline(ctx.series, from, ctx.baseline, ctx.settings);
  if (unit.unit.dimension === null) return overall;
  return sliceBaseline(unit, ctx.series.total, from, to, overall, ctx.baseline, ctx.settings);
}

/** Median of χ²₁: a robust scale for squared standardised residuals. */
const CHI2_1_MEDIAN = 0.4549;

/**
 * The unit's own intra-minute correlation ρ, estimated from the minutes before the longest window (so an anomaly in
 * the window does not widen its own yardstick), never below `minuteCorrelation` nor above `maxMinuteCorrelation`.
 * Robust: the median squared Pearson residual, so a retry storm or a one-minute burst in the reference does not make
 * the unit look noisier than it is; minutes expecting under one failure carry no information about dispersion and
 * are skipped (a quiet unit keeps the configured floor).
 */
export function minuteCorrelationOf(unit: UnitSeries, to: number, settings: DetectorSettings): number {
  const { minuteCorrelation, maxMinuteCorrelation } = settings.errorRate;
  const end = Math.max(0, to - Math.max(...settings.windowsMinutes));
  const trend = rateTrend(unit, end);
  // Scratch arrays shared by every call (this runs for every unit on every evaluation): no garbage per unit.
  const z2 = SCRATCH_Z2;
  const sizes = SCRATCH_SIZES;
  z2.length = 0;
  sizes.length = 0;
  for (let i = 0; i < end; i++) {
    const n = unit.attempts[i] as number;
    const p = trend(i);
    if (n * p < 1) continue;
    const e = n * p;
    z2.push(((unit.failures[i] as number) - e) ** 2 / (e * (1 - p)));
    sizes.push(n);
  }
  if (z2.length < MIN_DISPERSION_MINUTES) return minuteCorrelation;
  const phi = median(z2) / CHI2_1_MEDIAN;
  const n = median(sizes);
  if (phi <= 1 || n <= 1) return minuteCorrelation;
  return Math.min(maxMinuteCorrelation, Math.max(minuteCorrelation, (phi - 1) / (n - 1)));
}

/**
 * The unit's rate over minutes [0, end) as a straight line (least squares weighted by attempts). Residuals are taken
 * around it, not around the mean: a rate creeping up through the reference minutes is a trend, not noise, and must not
 * widen the yardstick that would catch it.
 */
function rateTrend(unit: UnitSeries, end: number): (i: number) => number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < end; i++) {
    const w = unit.attempts[i] as number;
    n += w;
    sx += w * i;
    sy += unit.failures[i] as number;
  }
  const flat = smoothedRate(sy, n);
  if (n === 0) return () => flat;
  const mx = sx / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < end; i++) {
    const w = unit.attempts[i] as number;
    if (w === 0) continue;
    sxx += w * (i - mx) ** 2;
    sxy += w * (i - mx) * ((unit.failures[i] as number) / w - sy / n);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return (i) => Math.min(0.999, Math.max(flat / 10, flat + slope * (i - mx)));
}

const SCRATCH_Z2: number[] = [];
const SCRATCH_SIZES: number[] = [];

/** Minutes with at least one expected failure needed before a unit's dispersion is estimated. */
const MIN_DISPERSION_MINUTES = 20;

/**
 * The median by quickselect, reordering `values` in place (callers pass a scratch array). It runs twice for every
 * unit on every evaluation; sorting there was the backtest's hottest function.
 */
function median(values: number[]): number {
  const mid = values.length >> 1;
  selectInPlace(values, mid);
  const upper = values[mid] as number;
  if (values.length % 2 === 1) return upper;
  // Everything before `mid` is ≤ it now: the lower middle is their largest.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) lower = Math.max(lower, values[i] as number);
  return (lower + upper) / 2;
}

/** Hoare's selection: afterwards values[k] is the k-th smallest, with nothing larger before it, nothing smaller after. */
function selectInPlace(values: number[], k: number): void {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i++] = values[j] as number;
        values[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** Tests one unit over each window, shortest first; returns the first window with sustained, material, significant excess. */
export function testUnit(ctx: RateContext, unit: UnitSeries): RateEvidence | null {
  const to = ctx.series.at.length;
  // The unit's correlation is estimated only once a window's excess is material: most units' never is.
  let rho: number | null = null;
  const rhoOf = () => (rho ??= minuteCorrelationOf(unit, to, ctx.settings));
  for (const w of shortestFirst(ctx.settings.windowsMinutes)) {
    const from = Math.max(0, to - w, ctx.floor);
    if (to - from < ctx.settings.errorRate.minBadMinutes) continue;
    const base = unitBaseline(ctx, unit, from, to);
    if (!base) continue;
    const result = check(unit, from, to, base, rhoOf, minAbsoluteExcess(unit.unit, ctx.settings), ctx.settings);
    if (result && sustained(unit, from, to, base, rhoOf(), ctx.settings) && usersAgree(unit, ctx.series.total, from, to, rhoOf(), ctx.settings)) {
      return { unit: unit.unit, from, baseline: base, ...result };
    }
    const creep = w >= ctx.settings.creep.minWindowMinutes ? creepCheck(ctx, unit, from, to, rhoOf) : null;
    if (creep) return creep;
  }
  return null;
}

/** The unit's own rate at this time of day on previous days, with how sure history is of it; null without enough of it. */
export function timeOfDayRate(key: string, baseline: Baseline | null, settings: DetectorSettings): RateBaseline | null {
  const own = baseline?.source === 'time_of_day' ? baseline.rates[key] : undefined;
  if (!own || own.attempts < settings.errorRate.minBaselineAttempts || own.concentration === undefined) return null;
  return {
    rate: smoothedRate(own.failures, own.attempts),
    concentration: Math.max(2, Math.min(own.concentration, settings.creep.maxBaselineConcentration)),
  };
}

/**
 * A slow creep. The ordinary tests judge the whole app against a baseline that the minutes before the window top up
 * (and its failing users against those minutes), and a slice against its complement over the same minutes; a rate
 * that climbs for hours drags those along, and the fixed cap on the baseline's certainty (`maxBaselineConcentration`)
 * leaves a 1.5 % app unpageable below about 4 %. Long windows are therefore also judged against the unit's own
 * time-of-day history, as sure as the spread of the previous days' hours says it is, and page once the rate has
 * doubled (`minRelativeExcess`) by at least `creep.minAbsoluteExcess`: for a creep, a doubling held for a
 * quarter of an hour is the news. Failing users must be in excess against history's failing users too, so a retry
 * storm does not pass for a creep.
 */
function creepCheck(ctx: RateContext, unit: UnitSeries, from: number, to: number, rho: () => number): RateEvidence | null {
  const { settings } = ctx;
  const base = timeOfDayRate(unit.unit.key, ctx.baseline, settings);
  if (!base) return null;
  const result = check(unit, from, to, base, rho, settings.creep.minAbsoluteExcess, settings);
  if (!result || !sustained(unit, from, to, base, rho(), settings)) return null;
  const own = ctx.baseline?.rates[unit.unit.key];
  const users = sum(unit.users, from, to);
  if (own?.users && users > 0) {
    const userBase = { rate: smoothedRate(own.failedUsers ?? 0, own.users), concentration: base.concentration };
    const phi = inflation(unit.users, from, to, rho());
    if (excessLogP(sum(unit.failedUsers, from, to), users, phi, userBase) > Math.log(settings.errorRate.maxPValue)) return null;
  }
  return { unit: unit.unit, from, baseline: base, ...result, creep: true };
}

/** Every unit (the whole app, then every slice value) with evidence of excess failures, strongest first. */
export function findRateEvidence(ctx: RateContext): RateEvidence[] {
  const found: RateEvidence[] = [];
  for (const unit of [ctx.series.total, ...ctx.series.slices]) {
    const evidence = testUnit(ctx, unit);
    if (evidence) found.push(evidence);
  }
  return found.sort((a, b) => a.logP - b.logP);
}

/**
 * Still elevated? The Wilson lower bound of the recent rate above half the material excess: stricter than "not
 * significant any more" so an incident does not flap closed on one quiet minute, looser than opening.
 */
export function stillElevated(
  unit: UnitSeries,
  from: number,
  to: number,
  baseRate: number,
  minAbs: number,
  settings: DetectorSettings,
): boolean {
  const failures = sum(unit.failures, from, to);
  const attempts = sum(unit.attempts, from, to);
  if (failures === 0) return false;
  const s = settings.errorRate;
  const threshold = Math.max(baseRate + minAbs / 2, baseRate * (1 + (s.minRelativeExcess - 1) / 2));
  return wilson(failures, attempts, settings.episodes.clearZ).low > threshold;
}

/** The smallest excess rate that matters for a unit: the alternative of the change-point walk. */
export function materialRate(baseRate: number, minAbs: number, settings: DetectorSettings): number {
  const s = settings.errorRate;
  return Math.min(0.999, Math.max(baseRate + minAbs, baseRate * s.minRelativeExcess));
}

/**
 * Where the failures of minutes [from, to) exceed normal, value by value: each slice's failures against its own
 * normal rate. Error codes are not candidates (see pickCulprit).
 */
export function rateAttributionItems(ctx: RateContext, from: number, to: number): AttributionItem[] {
  const { series, settings } = ctx;
  const overall = overallBaseline(series, from, ctx.baseline, settings);
  if (!overall) return [];
  const totalFailures = sum(series.total.failures, from, to);
  const totalAttempts = sum(series.total.attempts, from, to);
  if (totalAttempts === 0) return [];
  const items: AttributionItem[] = [];
  for (const slice of series.slices) {
    const { dimension, value } = slice.unit;
    if (!dimension || value === null) continue;
    const failures = sum(slice.failures, from, to);
    const attempts = sum(slice.attempts, from, to);
    if (attempts === 0) continue;
    const expected = attempts * sliceHistoryRate(slice.unit.key, overall, ctx.baseline, settings).rate;
    const complementAttempts = totalAttempts - attempts;
    const ratio = complementAttempts > 0 ? failures / attempts / smoothedRate(totalFailures - failures, complementAttempts) : 0;
    items.push({
      dimension,
      value,
      excess: failures - expected,
      normalShare: attempts / totalAttempts,
      concentrated: ratio >= settings.attribution.minRateRatio,
    });
  }
  return items;
}
