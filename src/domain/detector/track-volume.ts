import type { Counts, SuspectedCause } from '../types';
import { linkRelease, pickCulprit } from './attribution';
import { onsetIndex, poissonLlr, recoveryIndex } from './change-point';
import { track, type Episode, type Tracked } from './episodes';
import { overallBaseline } from './error-rate';
import { volumeSeverity } from './impact';
import type { Finding } from './signals';
import { countsOver, indexAt, plus, seriesOf, sum, type UnitSeries } from './series';
import type { TrackContext } from './track-error-rate';
import {
  findVolumeEvidence,
  longestVolumeWindow,
  minDropFor,
  referenceLevel,
  stillDropped,
  trafficShape,
  volumeAttributionItems,
  type VolumeEvidence,
} from './volume';

export const VOLUME_DROP_FINGERPRINT = 'volume_drop';

export interface VolumeEpisode extends Episode {
  /** Unit key whose logins collapsed: the culprit slice, or `*`. */
  focus: string;
  /** The focus unit's traffic level relative to the profile, frozen at opening (see volume.referenceLevel). */
  level: number;
  overallRate: number;
  /** Whole-app counts over the incident so far. */
  totals: Counts;
  /** Logins of the focus unit that did not happen over the incident so far. */
  missing: number;
}

function missingOver(unit: UnitSeries, shape: readonly number[], level: number, from: number, to: number): number {
  let missing = 0;
  for (let i = from; i < to; i++) missing += Math.max(0, level * (shape[i] as number) - (unit.attempts[i] as number));
  return missing;
}

function finding(
  ctx: TrackContext,
  shape: readonly number[],
  ep: Pick<VolumeEpisode, 'startedAt' | 'focus' | 'level' | 'overallRate' | 'totals' | 'missing'>,
  suspected: SuspectedCause | null,
): Finding {
  const { series, settings } = ctx;
  const len = series.at.length;
  const from = Math.max(0, len - longestVolumeWindow(settings), indexAt(series, ep.startedAt));
  const unit = seriesOf(series, ep.focus) ?? series.total;
  const minutes = Math.max(1, len - from);
  const expected = ep.level * sum(shape, from, len);
  const observed = sum(unit.attempts, from, len);
  const drop = expected > 0 ? Math.max(0, 1 - observed / expected) : 0;
  return {
    kind: 'volume_drop',
    fingerprint: VOLUME_DROP_FINGERPRINT,
    severity: volumeSeverity(drop, settings),
    startedAt: ep.startedAt,
    impact: {
      errorRate: ep.totals.attempts > 0 ? ep.totals.failures / ep.totals.attempts : 0,
      baselineErrorRate: ep.overallRate,
      failedLogins: ep.totals.failures,
      // Users who never got to log in leave no user id behind; a missing login stands for a missing user.
      affectedUsers: Math.round(ep.missing),
      affectedUserPct: drop,
      loginsPerMinute: observed / minutes,
      baselineLoginsPerMinute: expected / minutes,
    },
    suspectedCause: suspected,
  };
}

function open(
  ctx: TrackContext,
  shape: readonly number[],
  evidence: VolumeEvidence,
  floor: number,
  llr: (unit: UnitSeries, level: number) => number[],
): VolumeEpisode {
  const { series, settings } = ctx;
  const len = series.at.length;
  const culprit = pickCulprit(volumeAttributionItems(series, shape, evidence.from, settings), settings);
  const culpritKey = culprit ? `${culprit.dimension}=${culprit.value}` : null;
  const culpritSeries = culpritKey ? seriesOf(series, culpritKey) : null;
  const culpritLevel = culpritSeries ? referenceLevel(culpritSeries, shape, settings) : null;
  const [focus, unit, level] =
    culpritKey && culpritSeries && culpritLevel !== null
      ? [culpritKey, culpritSeries, culpritLevel]
      : [evidence.unit.key, seriesOf(series, evidence.unit.key) ?? series.total, evidence.level];
  const onset = onsetIndex(llr(unit, level), indexAt(series, floor), len);
  const startedAt = series.at[onset] as number;
  const suspected = culprit && { ...culprit, release: linkRelease(culprit, ctx.releases, startedAt, settings) };
  const ep = {
    startedAt,
    focus,
    level,
    overallRate: overallBaseline(series, onset, ctx.baseline, settings)?.rate ?? 0,
    totals: countsOver(series.total, onset, len),
    missing: missingOver(unit, shape, level, onset, len),
  };
  return {
    ...ep,
    phase: 'open',
    openedAt: ctx.now,
    normalSince: null,
    resolvedEvalAt: null,
    closedUntil: ctx.closedUntil,
    resolvedAt: null,
    finding: finding(ctx, shape, ep, suspected),
  };
}

/** New impact for the minutes closed since the last look; the culprit stays the one named at opening. */
function refresh(ctx: TrackContext, shape: readonly number[], ep: VolumeEpisode): VolumeEpisode {
  const { series } = ctx;
  const len = series.at.length;
  const from = indexAt(series, ep.closedUntil);
  const unit = seriesOf(series, ep.focus) ?? series.total;
  const next = {
    ...ep,
    totals: plus(ep.totals, countsOver(series.total, from, len)),
    missing: ep.missing + missingOver(unit, shape, ep.level, from, len),
    closedUntil: ctx.closedUntil,
  };
  return { ...next, finding: finding(ctx, shape, next, ep.finding.suspectedCause) };
}

export function trackVolume(
  ctx: TrackContext,
  episode: VolumeEpisode | null,
  floor: number,
  unchanged: { elevated: boolean } | null,
): Tracked<VolumeEpisode> {
  const { settings } = ctx;
  let shapeMemo: number[] | null = null;
  const shape = () => (shapeMemo ??= trafficShape(ctx.series, ctx.baseline));
  const llr = (unit: UnitSeries, level: number) =>
    unit.attempts.map((o, i) => poissonLlr(o, level * (shape()[i] as number), settings.volume.minDrop));
  return track<VolumeEpisode, VolumeEvidence>(
    episode,
    floor,
    {
      evidence: () =>
        findVolumeEvidence(ctx.series, shape(), indexAt(ctx.series, floor), minDropFor(ctx.baseline, settings), settings)[0] ?? null,
      elevated: (ep) => {
        const unit = seriesOf(ctx.series, ep.focus);
        return unit !== null && stillDropped(unit, shape(), ep.level, settings);
      },
      open: (evidence) => open(ctx, shape(), evidence, floor, llr),
      refresh: (ep) => refresh(ctx, shape(), ep),
      recoveredAt: (ep) => {
        const { series } = ctx;
        const len = series.at.length;
        const unit = seriesOf(series, ep.focus) ?? series.total;
        const r = recoveryIndex(llr(unit, ep.level), indexAt(series, ep.startedAt), len);
        return r < len ? (series.at[r] as number) : ctx.closedUntil;
      },
    },
    ctx,
    settings,
    unchanged,
  );
}
