import type { Counts, Dimension, Release, SuspectedCause } from '../types';
import { linkRelease, pickCulprit, type AttributionItem } from './attribution';
import type { Baseline } from './baseline';
import { binomialLlr, onsetIndex, recoveryIndex } from './change-point';
import { track, type Episode, type Tracked } from './episodes';
import {
  findRateEvidence,
  materialRate,
  minAbsoluteExcess,
  overallBaseline,
  rateAttributionItems,
  stillElevated,
  unitBaseline,
  type RateContext,
  type RateEvidence,
} from './error-rate';
import { errorImpact, errorSeverity } from './impact';
import type { DetectorSettings } from './settings';
import type { Finding } from './signals';
import { countsOver, indexAt, plus, seriesOf, unitKey, type MinuteSeries, type UnitSeries } from './series';

export const ERROR_RATE_FINGERPRINT = 'error_rate';

export interface ErrorEpisode extends Episode {
  /** Unit key watched for the end of the anomaly: the culprit slice, or `*`. */
  focus: string;
  /** The focus unit's normal rate, frozen at opening so a long incident cannot become its own baseline. */
  focusRate: number;
  /** The whole app's normal rate, frozen at opening. */
  overallRate: number;
  /** Whole-app counts over the incident so far. */
  totals: Counts;
  /**
   * The absolute excess that mattered at opening, when it was not the unit's ordinary one (a creep, see
   * error-rate.creepCheck): "still elevated" and the walk-backs use it. Absent otherwise, and in older states.
   */
  minAbsoluteExcess?: number;
}

export interface TrackContext {
  now: number;
  /** End of the newest closed minute. */
  closedUntil: number;
  /** May be a lazy getter: the minutes are only reshaped when a test needs them. */
  readonly series: MinuteSeries;
  baseline: Baseline | null;
  releases: readonly Release[];
  settings: DetectorSettings;
}

/**
 * The culprit by explanatory power (Adtributor). When that finds none but the anomaly was found in one slice, the
 * slice itself (if its own failures are still concentrated): a version at 0.5 % of traffic failing 25 % of its logins
 * is significant against its complement long before its excess stands out of the minute-to-minute noise of the big
 * versions, which is what the explanatory power divides by.
 */
function cause(ctx: TrackContext, rateCtx: RateContext, from: number, startedAt: number, found: string): SuspectedCause | null {
  const items = rateAttributionItems(rateCtx, from, ctx.series.at.length);
  const culprit = pickCulprit(items, ctx.settings) ?? foundSlice(items, found);
  return culprit && { ...culprit, release: linkRelease(culprit, ctx.releases, startedAt, ctx.settings) };
}

function foundSlice(items: readonly AttributionItem[], key: string): { dimension: Dimension; value: string; share: number } | null {
  const item = items.find((i) => unitKey(i.dimension, i.value) === key);
  if (!item || item.excess <= 0 || !item.concentrated) return null;
  const positive = items.filter((i) => i.dimension === item.dimension && i.excess > 0).reduce((a, i) => a + i.excess, 0);
  return { dimension: item.dimension, value: item.value, share: Math.min(1, item.excess / positive) };
}

/** The unit to watch for recovery: the culprit slice when the excess is concentrated in one, else the whole app. */
function focusOf(ctx: TrackContext, suspected: SuspectedCause | null, fallback: string): string {
  if (!suspected) return fallback;
  const key = `${suspected.dimension}=${suspected.value}`;
  return seriesOf(ctx.series, key) ? key : fallback;
}

function finding(ctx: TrackContext, ep: Pick<ErrorEpisode, 'startedAt' | 'totals' | 'overallRate'>, suspected: SuspectedCause | null): Finding {
  const impact = errorImpact(ep.totals, ep.overallRate);
  return {
    kind: 'error_rate',
    fingerprint: ERROR_RATE_FINGERPRINT,
    severity: errorSeverity(impact, ctx.settings),
    startedAt: ep.startedAt,
    impact,
    suspectedCause: suspected,
  };
}

/** Per-minute evidence of failing at the alternative rate p1 rather than at baseRate. */
function llrSeries(unit: UnitSeries, baseRate: number, p1: number): number[] {
  return unit.attempts.map((n, i) => binomialLlr(unit.failures[i] as number, n, baseRate, p1));
}

function open(ctx: TrackContext, rateCtx: RateContext, evidence: RateEvidence): ErrorEpisode {
  const { series } = ctx;
  const len = series.at.length;
  const early = cause(ctx, rateCtx, evidence.from, series.at[evidence.from] as number, evidence.unit.key);
  const focus = focusOf(ctx, early, evidence.unit.key);
  const focusSeries = seriesOf(series, focus) as UnitSeries;
  const focusRate =
    focus === evidence.unit.key
      ? evidence.baseline.rate
      : (unitBaseline(rateCtx, focusSeries, evidence.from, len)?.rate ?? evidence.baseline.rate);
  // The walk-back's alternative: halfway between normal and the rate seen since the evidence began, never below the
  // smallest excess that matters. Tuned to the shift actually seen, a step stands out from stray failures before it
  // (at low traffic one failure would otherwise outweigh a quiet minute and drag the start back by an hour), while a
  // creep, whose observed rate is still near the material one, keeps a gentle alternative so its slow start counts.
  const seen = countsOver(focusSeries, evidence.from, len);
  const observedRate = seen.attempts > 0 ? seen.failures / seen.attempts : focusRate;
  const minAbs = evidence.creep ? ctx.settings.creep.minAbsoluteExcess : undefined;
  const material = materialRate(focusRate, minAbs ?? minAbsoluteExcess(focusSeries.unit, ctx.settings), ctx.settings);
  const p1 = Math.min(0.999, Math.max(material, (focusRate + observedRate) / 2));
  const onset = onsetIndex(llrSeries(focusSeries, focusRate, p1), rateCtx.floor, len);
  const startedAt = series.at[onset] as number;
  const overallRate = overallBaseline(series, onset, ctx.baseline, ctx.settings)?.rate ?? evidence.baseline.rate;
  const totals = countsOver(series.total, onset, len);
  const suspected = cause(ctx, rateCtx, Math.min(onset, evidence.from), startedAt, focus);
  return {
    phase: 'open',
    openedAt: ctx.now,
    normalSince: null,
    resolvedEvalAt: null,
    closedUntil: ctx.closedUntil,
    startedAt,
    resolvedAt: null,
    focus: focusOf(ctx, suspected, focus),
    focusRate,
    overallRate,
    totals,
    ...(minAbs === undefined ? {} : { minAbsoluteExcess: minAbs }),
    finding: finding(ctx, { startedAt, totals, overallRate }, suspected),
  };
}

/** Fresh impact and cause for an open (or reopening) episode, counting the minutes closed since the last look. */
function refresh(ctx: TrackContext, rateCtx: RateContext, ep: ErrorEpisode, attributeFrom: number): ErrorEpisode {
  const len = ctx.series.at.length;
  const totals = plus(ep.totals, countsOver(ctx.series.total, indexAt(ctx.series, ep.closedUntil), len));
  const suspected = cause(ctx, rateCtx, attributeFrom, ep.startedAt, ep.focus);
  const focus = focusOf(ctx, suspected, ep.focus);
  let focusRate = ep.focusRate;
  if (focus !== ep.focus) {
    const focusSeries = seriesOf(ctx.series, focus) as UnitSeries;
    focusRate = unitBaseline(rateCtx, focusSeries, attributeFrom, len)?.rate ?? focusRate;
  }
  const next = { ...ep, totals, focus, focusRate, closedUntil: ctx.closedUntil };
  return { ...next, finding: finding(ctx, next, suspected) };
}

function episodeMinAbs(ep: ErrorEpisode, unit: UnitSeries, settings: DetectorSettings): number {
  return ep.minAbsoluteExcess ?? minAbsoluteExcess(unit.unit, settings);
}

export function trackErrorRate(
  ctx: TrackContext,
  episode: ErrorEpisode | null,
  floor: number,
  unchanged: { elevated: boolean } | null,
): Tracked<ErrorEpisode> {
  const { settings } = ctx;
  // Built on first use only: an unchanged evaluation with nothing to decide never touches the minutes.
  const rateCtx = (): RateContext => ({ series: ctx.series, baseline: ctx.baseline, floor: indexAt(ctx.series, floor), settings });
  return track<ErrorEpisode, RateEvidence>(
    episode,
    floor,
    {
      evidence: () => findRateEvidence(rateCtx())[0] ?? null,
      elevated: (ep) => {
        const unit = seriesOf(ctx.series, ep.focus);
        const len = ctx.series.at.length;
        const from = Math.max(0, len - settings.episodes.clearWindowMinutes);
        return unit !== null && stillElevated(unit, from, len, ep.focusRate, episodeMinAbs(ep, unit, settings), settings);
      },
      open: (evidence) => open(ctx, rateCtx(), evidence),
      refresh: (ep, evidence) => refresh(ctx, rateCtx(), ep, evidence ? evidence.from : indexAt(ctx.series, ep.startedAt)),
      recoveredAt: (ep) => {
        const { series } = ctx;
        const len = series.at.length;
        const unit = seriesOf(series, ep.focus) ?? series.total;
        const p1 = materialRate(ep.focusRate, episodeMinAbs(ep, unit, settings), settings);
        const r = recoveryIndex(llrSeries(unit, ep.focusRate, p1), indexAt(series, ep.startedAt), len);
        return r < len ? (series.at[r] as number) : ctx.closedUntil;
      },
    },
    ctx,
    settings,
    unchanged,
  );
}
