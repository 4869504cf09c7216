import type { Counts, SuspectedCause } from '../types';
import { linkRelease, pickCulprit } from './attribution';
import { onsetIndex, poissonLlr, recoveryIndex } from './change-point';
import { track, type Episode, type Tracked } from './episodes';
import { overallBaseline } from './error-rate';
import { volumeSeverity } from './impact';
import { findLaunchEvidence, launchExpected, stillLosing, type LaunchEvidence } from './launch';
import type { Finding } from './signals';
import { countsOver, indexAt, plus, seriesOf, sum, unitKey, type UnitSeries } from './series';
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
  /** Unit key whose logins collapsed: the culprit slice, or `*`; for a crash at launch, the version's platform. */
  focus: string;
  /** The focus unit's traffic level relative to the profile, frozen at opening (see volume.referenceLevel). */
  level: number;
  overallRate: number;
  /** Whole-app counts over the incident so far. */
  totals: Counts;
  /** Logins of the focus unit that did not happen over the incident so far. */
  missing: number;
  /**
   * Set when a new version crashes at launch (see launch.ts): the focus platform's logins are then expected from the
   * other platforms' at its share before the version appeared (frozen here), not from the time-of-day profile, and
   * `drop` is the fraction of the platform's logins missing at opening (the alternative of the recovery walk).
   * Absent in states written before it existed.
   */
  launch?: { version: string; share: number; drop: number };
}

type Evidence = { volume: VolumeEvidence } | { launch: LaunchEvidence };

/** The focus unit's expected logins per minute, aligned with the series. */
function expectedOf(ctx: TrackContext, shape: readonly number[], ep: Pick<VolumeEpisode, 'focus' | 'level' | 'launch'>): number[] {
  const unit = seriesOf(ctx.series, ep.focus);
  if (ep.launch && unit) return launchExpected(ctx.series, unit, ep.launch.share);
  return shape.map((s) => ep.level * s);
}

function missingOver(unit: UnitSeries, expected: readonly number[], from: number, to: number): number {
  let missing = 0;
  for (let i = from; i < to; i++) missing += Math.max(0, (expected[i] as number) - (unit.attempts[i] as number));
  return missing;
}

function finding(
  ctx: TrackContext,
  expectedSeries: readonly number[],
  ep: Pick<VolumeEpisode, 'startedAt' | 'focus' | 'launch' | 'overallRate' | 'totals' | 'missing'>,
  suspected: SuspectedCause | null,
): Finding {
  const { series, settings } = ctx;
  const len = series.at.length;
  const from = Math.max(0, len - longestVolumeWindow(settings), indexAt(series, ep.startedAt));
  const unit = seriesOf(series, ep.focus) ?? series.total;
  const minutes = Math.max(1, len - from);
  const expected = sum(expectedSeries, from, len);
  const observed = sum(unit.attempts, from, len);
  let drop = expected > 0 ? Math.max(0, 1 - observed / expected) : 0;
  if (ep.launch) {
    // A crash at launch is graded by the logins the version's users lost, not by the whole platform's.
    const version = seriesOf(series, unitKey('appVersion', ep.launch.version));
    const lost = Math.max(0, expected - observed);
    const kept = version ? sum(version.attempts, from, len) : 0;
    drop = lost + kept > 0 ? lost / (lost + kept) : 0;
  }
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

/** What every volume episode starts from, once its focus, level, start and cause are known. */
function opened(
  ctx: TrackContext,
  ep: Pick<VolumeEpisode, 'startedAt' | 'focus' | 'level' | 'launch'>,
  unit: UnitSeries,
  expected: readonly number[],
  suspected: SuspectedCause | null,
): VolumeEpisode {
  const { series, settings } = ctx;
  const len = series.at.length;
  const onset = indexAt(series, ep.startedAt);
  const full = {
    ...ep,
    overallRate: overallBaseline(series, onset, ctx.baseline, settings)?.rate ?? 0,
    totals: countsOver(series.total, onset, len),
    missing: missingOver(unit, expected, onset, len),
  };
  return {
    ...full,
    phase: 'open',
    openedAt: ctx.now,
    normalSince: null,
    resolvedEvalAt: null,
    closedUntil: ctx.closedUntil,
    resolvedAt: null,
    finding: finding(ctx, expected, full, suspected),
  };
}

function openDrop(
  ctx: TrackContext,
  shape: readonly number[],
  evidence: VolumeEvidence,
  floor: number,
  llr: (unit: UnitSeries, expected: readonly number[], drop: number) => number[],
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
  const expected = shape.map((s) => level * s);
  const onset = onsetIndex(llr(unit, expected, settings.volume.minDrop), indexAt(series, floor), len);
  const startedAt = series.at[onset] as number;
  const suspected = culprit && { ...culprit, release: linkRelease(culprit, ctx.releases, startedAt, settings) };
  return opened(ctx, { startedAt, focus, level }, unit, expected, suspected);
}

/** A crash at launch starts when the version appeared, and names it (and its release). */
function openLaunch(ctx: TrackContext, evidence: LaunchEvidence): VolumeEpisode {
  const { series, settings } = ctx;
  const unit = seriesOf(series, evidence.group) ?? series.total;
  const expected = launchExpected(series, unit, evidence.share);
  const startedAt = series.at[evidence.from] as number;
  const culprit = { dimension: 'appVersion' as const, value: evidence.version, share: 1 };
  const suspected: SuspectedCause = { ...culprit, release: linkRelease(culprit, ctx.releases, startedAt, settings) };
  const grouped = evidence.missing + sum(unit.attempts, evidence.from, series.at.length);
  const launch = { version: evidence.version, share: evidence.share, drop: Math.min(0.99, evidence.missing / grouped) };
  return opened(ctx, { startedAt, focus: evidence.group, level: 0, launch }, unit, expected, suspected);
}

/** New impact for the minutes closed since the last look; the culprit stays the one named at opening. */
function refresh(ctx: TrackContext, shape: readonly number[], ep: VolumeEpisode): VolumeEpisode {
  const { series } = ctx;
  const len = series.at.length;
  const from = indexAt(series, ep.closedUntil);
  const unit = seriesOf(series, ep.focus) ?? series.total;
  const expected = expectedOf(ctx, shape, ep);
  const next = {
    ...ep,
    totals: plus(ep.totals, countsOver(series.total, from, len)),
    missing: ep.missing + missingOver(unit, expected, from, len),
    closedUntil: ctx.closedUntil,
  };
  return { ...next, finding: finding(ctx, expected, next, ep.finding.suspectedCause) };
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
  const llr = (unit: UnitSeries, expected: readonly number[], drop: number) =>
    unit.attempts.map((o, i) => poissonLlr(o, expected[i] as number, drop));
  return track<VolumeEpisode, Evidence>(
    episode,
    floor,
    {
      evidence: () => {
        const from = indexAt(ctx.series, floor);
        const volume = findVolumeEvidence(ctx.series, shape(), from, minDropFor(ctx.baseline, settings), settings)[0];
        if (volume) return { volume };
        const launch = findLaunchEvidence(ctx.series, ctx.releases, from, settings)[0];
        return launch ? { launch } : null;
      },
      elevated: (ep) => {
        const unit = seriesOf(ctx.series, ep.focus);
        if (!unit) return false;
        const expected = expectedOf(ctx, shape(), ep);
        if (!ep.launch) return stillDropped(unit, expected, settings);
        return stillLosing(unit, seriesOf(ctx.series, unitKey('appVersion', ep.launch.version)), expected, settings);
      },
      open: (evidence) => ('launch' in evidence ? openLaunch(ctx, evidence.launch) : openDrop(ctx, shape(), evidence.volume, floor, llr)),
      refresh: (ep) => refresh(ctx, shape(), ep),
      recoveredAt: (ep) => {
        const { series } = ctx;
        const len = series.at.length;
        const unit = seriesOf(series, ep.focus) ?? series.total;
        const drop = ep.launch ? ep.launch.drop : settings.volume.minDrop;
        const r = recoveryIndex(llr(unit, expectedOf(ctx, shape(), ep), drop), indexAt(series, ep.startedAt), len);
        return r < len ? (series.at[r] as number) : ctx.closedUntil;
      },
    },
    ctx,
    settings,
    unchanged,
  );
}
