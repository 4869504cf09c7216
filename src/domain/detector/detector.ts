import type { Bucket, Release } from '../types';
import { buildBaseline, historyRange, MINUTE, type Baseline } from './baseline';
import type { DetectorSettings } from './settings';
import type { Signal } from './signals';
import { buildSeries, type MinuteSeries, type SeriesWindow } from './series';
import { trackErrorRate, type ErrorEpisode, type TrackContext } from './track-error-rate';
import { trackVolume, type VolumeEpisode } from './track-volume';

/**
 * One app's detector, as a pure function of counters and its previous state.
 *
 * One real problem is one incident: each app has one fingerprint per kind (`error_rate`, `volume_drop`) and the
 * culprit slice is an attribute of the finding, not part of its identity. A bad version therefore never opens a
 * whole-app incident next to a per-version one, and a culprit that is only recognised a few minutes later (or
 * changes) updates the incident instead of filing another.
 */

/** Plain JSON: the live worker keeps it in Redis between runs, the backtest in memory. */
export interface DetectorState {
  version: 1;
  /** Baseline of the current hour; rebuilt when the hour changes. */
  baseline: Baseline | null;
  errorRate: { episode: ErrorEpisode | null; floor: number };
  volumeDrop: { episode: VolumeEpisode | null; floor: number };
  /** What the last evaluation saw and concluded; see `inputKey`. */
  last: { key: string; errorElevated: boolean; volumeElevated: boolean } | null;
}

export interface DetectorInput {
  now: number;
  /** Closed minute buckets over `minuteRange(now)`, ascending, one per minute (zero-filled). */
  minutes: readonly Bucket[];
  /** Hourly buckets over `historyNeeded(state, now)` when it asked for any, else null. */
  hours: readonly Bucket[] | null;
  /** The app's registered releases. */
  releases: readonly Release[];
  state: DetectorState | null;
  /**
   * The app's series window from its previous evaluation, when the caller keeps one (the backtest does): only the
   * minutes that are new since then are reshaped. Without it the series is built afresh; the result is the same.
   */
  window?: SeriesWindow;
}

function minuteStart(ms: number): number {
  return ms - (((ms % MINUTE) + MINUTE) % MINUTE);
}

/**
 * The minutes an evaluation reads: the last `recentMinutes` closed minutes. The minute in progress is left out:
 * its aggregates are not in yet, and a half-counted minute would look like a volume drop.
 */
export function minuteRange(now: number, settings: DetectorSettings): { from: number; to: number } {
  const to = minuteStart(now);
  return { from: to - settings.recentMinutes * MINUTE, to };
}

/** The hourly roll-ups to read for this evaluation (once an hour), or null. */
export function historyNeeded(state: DetectorState | null, now: number, settings: DetectorSettings) {
  return historyRange(state?.baseline ?? null, now, settings);
}

/**
 * Identifies everything the tests depend on. The detector runs every few seconds but minutes close once a minute,
 * so most evaluations see exactly what the previous one saw; their test results are then known and only the
 * time-driven parts of the lifecycle (resolve after a quiet spell, end of the cool-down) run. Every event adds to
 * the total attempts, so the sums change whenever any count does.
 */
function keyOf(
  data: string,
  error: Pick<DetectorState['errorRate'], 'episode' | 'floor'> | undefined,
  volume: Pick<DetectorState['volumeDrop'], 'episode' | 'floor'> | undefined,
): string {
  const episode = (e: ErrorEpisode | VolumeEpisode | null | undefined) => (e ? `${e.phase}:${e.focus}` : '-');
  return [data, error?.floor ?? 0, volume?.floor ?? 0, episode(error?.episode), episode(volume?.episode)].join('|');
}

function dataKey(input: DetectorInput, baseline: Baseline | null, closedUntil: number): string {
  let attempts = 0;
  let failures = 0;
  for (const b of input.minutes) {
    attempts += b.total.attempts;
    failures += b.total.failures;
  }
  return [closedUntil, input.minutes.length, attempts, failures, baseline?.hour ?? '-', input.releases.length].join('|');
}

export function detect(input: DetectorInput, settings: DetectorSettings): { state: DetectorState; signals: Signal[] } {
  const prev = input.state;
  const baseline = input.hours ? buildBaseline(input.hours, input.now, settings) : (prev?.baseline ?? null);
  const closedUntil = minuteRange(input.now, settings).to;
  const data = dataKey(input, baseline, closedUntil);
  const before = keyOf(data, prev?.errorRate, prev?.volumeDrop);
  const last = prev?.last?.key === before ? prev.last : null;
  let series: MinuteSeries | null = null;
  const ctx: TrackContext = {
    now: input.now,
    closedUntil,
    get series() {
      return (series ??= input.window ? input.window.build(input.minutes) : buildSeries(input.minutes));
    },
    baseline,
    releases: input.releases,
    settings,
  };
  const errorRate = trackErrorRate(
    ctx,
    prev?.errorRate.episode ?? null,
    prev?.errorRate.floor ?? 0,
    last && { elevated: last.errorElevated },
  );
  const volumeDrop = trackVolume(
    ctx,
    prev?.volumeDrop.episode ?? null,
    prev?.volumeDrop.floor ?? 0,
    last && { elevated: last.volumeElevated },
  );
  const signals = [errorRate.signal, volumeDrop.signal].filter((s): s is Signal => s !== null);
  const after = keyOf(data, errorRate, volumeDrop);
  return {
    state: {
      version: 1,
      baseline,
      errorRate: { episode: errorRate.episode, floor: errorRate.floor },
      volumeDrop: { episode: volumeDrop.episode, floor: volumeDrop.floor },
      // Only remembered when this evaluation left the episodes as it found them: the results then still apply.
      last:
        before === after
          ? { key: after, errorElevated: errorRate.elevated, volumeElevated: volumeDrop.elevated }
          : null,
    },
    signals,
  };
}
