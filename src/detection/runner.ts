import type { CounterSource } from '../counters/ports';
import { HOUR_MS, MINUTE_MS } from '../domain/time';
import { detect, historyNeeded, minuteRange, type DetectorState } from '../domain/detector/detector';
import { withDistinctUsers } from '../domain/detector/impact';
import type { SeriesWindow } from '../domain/detector/series';
import type { DetectorSettings } from '../domain/detector/settings';
import type { Signal } from '../domain/detector/signals';
import type { Release } from '../domain/types';

/**
 * One evaluation of one app: the single function the live detector worker and the backtest both call. It reads
 * the recent closed minutes (every time) and the hourly roll-ups of previous days (once an hour, when the
 * detector's cached baseline is stale), runs the pure detector, and replaces the detector's per-minute user
 * estimate with distinct users over the incident for the signals it emits.
 */
export async function evaluateApp(
  deps: { counters: CounterSource; settings: DetectorSettings; window?: SeriesWindow },
  input: { app: string; now: number; releases: Release[]; state: DetectorState | null },
): Promise<{ state: DetectorState; signals: Signal[] }> {
  const { counters, settings } = deps;
  const { app, now } = input;
  const recent = minuteRange(now, settings);
  const history = historyNeeded(input.state, now, settings);
  const [minutes, hours] = await Promise.all([
    counters.buckets(app, recent.from, recent.to, MINUTE_MS),
    history ? counters.buckets(app, history.from, history.to, HOUR_MS) : Promise.resolve(null),
  ]);
  const { state, signals } = detect(
    { now, minutes, hours, releases: input.releases, state: input.state, ...(deps.window && { window: deps.window }) },
    settings,
  );
  const withUsers = await Promise.all(
    signals.map(async (signal) => {
      if (signal.finding.kind !== 'error_rate') return signal;
      const users = await counters.distinctUsers(app, signal.finding.startedAt, recent.to);
      return { ...signal, finding: withDistinctUsers(signal.finding, users, settings) };
    }),
  );
  return { state, signals: withUsers };
}
