import type { DetectorSettings } from './settings';
import type { Finding, Signal } from './signals';
import { MINUTE_MS as MINUTE } from '../time';

/**
 * Hysteresis, the same for every kind of anomaly:
 *   - open on evidence (the tests already demand it be sustained over several minutes, not one bad minute);
 *   - while open, stay open as long as the anomaly is still visible in the last few minutes (a looser test than
 *     opening), and resolve once it has looked normal for `resolveAfterMinutes` of evaluations in a row;
 *   - after a resolve, new evidence within `cooldownMinutes` reopens the same incident instead of filing another,
 *     which is what keeps flapping traffic to one incident.
 */
export interface EpisodeClock {
  phase: 'open' | 'resolved';
  /** Evaluation time since which the anomaly has looked over; null while it still shows. */
  normalSince: number | null;
  /** Evaluation time of the resolve: the cool-down runs from here. */
  resolvedEvalAt: number | null;
  /** End of the last closed minute the finding reflects. */
  closedUntil: number;
}

export type Decision = 'open' | 'reopen' | 'update' | 'resolve' | 'forget' | 'hold';

export interface Observation {
  /** The opening tests found sustained evidence (in minutes after the last recovery). */
  evidence: boolean;
  /** For an open episode: the anomaly still shows in the last few minutes. */
  elevated: boolean;
  /** End of the newest closed minute. */
  closedUntil: number;
}

export function decide(
  episode: EpisodeClock | null,
  obs: Observation,
  now: number,
  settings: DetectorSettings,
): { decision: Decision; normalSince: number | null } {
  const { resolveAfterMinutes, cooldownMinutes } = settings.episodes;
  if (!episode) return { decision: obs.evidence ? 'open' : 'hold', normalSince: null };
  if (episode.phase === 'resolved') {
    const cooling = now - (episode.resolvedEvalAt ?? now) <= cooldownMinutes * MINUTE;
    if (obs.evidence) return { decision: cooling ? 'reopen' : 'open', normalSince: null };
    return { decision: cooling ? 'hold' : 'forget', normalSince: null };
  }
  if (obs.elevated) {
    return { decision: obs.closedUntil > episode.closedUntil ? 'update' : 'hold', normalSince: null };
  }
  const normalSince = episode.normalSince ?? now;
  return { decision: now - normalSince >= resolveAfterMinutes * MINUTE ? 'resolve' : 'hold', normalSince };
}

export interface Episode extends EpisodeClock {
  startedAt: number;
  /** Evaluation time of the last open or reopen. */
  openedAt: number;
  /** Estimated end of the anomaly, once resolved. */
  resolvedAt: number | null;
  /** What was last signalled. */
  finding: Finding;
}

export interface Tracked<E> {
  episode: E | null;
  /** Minutes before this time no longer count as evidence of a new anomaly (the last recovery). */
  floor: number;
  signal: Signal | null;
  /** What `elevated` said (false when not asked), remembered so an unchanged evaluation need not ask again. */
  elevated: boolean;
}

/** What one kind of anomaly plugs into the shared lifecycle. */
export interface EpisodeOps<E extends Episode, V> {
  /** The strongest evidence of a new anomaly, or null; only asked while no episode is open. */
  evidence(): V | null;
  /** Whether the open episode's anomaly still shows in the last few minutes. */
  elevated(episode: E): boolean;
  open(evidence: V): E;
  /** Fresh impact (and cause) with the minutes closed since the last look. */
  refresh(episode: E, evidence: V | null): E;
  /** Estimated time the anomaly ended. */
  recoveredAt(episode: E): number;
}

export function track<E extends Episode, V>(
  episode: E | null,
  floor: number,
  ops: EpisodeOps<E, V>,
  at: { now: number; closedUntil: number },
  settings: DetectorSettings,
  /**
   * Set when nothing the tests look at changed since the last evaluation (same minutes, counts, baseline and
   * episode): the evidence is then known to be absent (else an episode would be open) and `elevated` is as it was.
   */
  unchanged: { elevated: boolean } | null,
): Tracked<E> {
  const { now, closedUntil } = at;
  const isOpen = episode !== null && episode.phase === 'open';
  const evidence = isOpen || unchanged ? null : ops.evidence();
  const elevated = isOpen && (unchanged ? unchanged.elevated : ops.elevated(episode));
  const { decision, normalSince } = decide(episode, { evidence: evidence !== null, elevated, closedUntil }, now, settings);
  const result = (episode: E | null, signal: Signal | null, nextFloor = floor): Tracked<E> => ({
    episode,
    floor: nextFloor,
    signal,
    elevated,
  });
  switch (decision) {
    case 'hold':
      return result(episode && { ...episode, normalSince }, null);
    case 'forget':
      return result(null, null);
    case 'open': {
      const opened = ops.open(evidence as V);
      return result(opened, { type: 'open', at: now, finding: opened.finding });
    }
    case 'reopen': {
      const refreshed = ops.refresh(episode as E, evidence);
      const reopened: E = { ...refreshed, phase: 'open', openedAt: now, normalSince: null, resolvedEvalAt: null, resolvedAt: null };
      return result(reopened, { type: 'reopen', at: now, finding: reopened.finding });
    }
    case 'update': {
      const updated = ops.refresh(episode as E, null);
      return result(updated, { type: 'update', at: now, finding: updated.finding });
    }
    case 'resolve': {
      const ep = episode as E;
      // The estimated end, but never before the incident was (re)opened: an incident cannot end before it exists.
      const resolvedAt = Math.max(ep.openedAt, ops.recoveredAt(ep));
      const resolved: E = { ...ep, phase: 'resolved', normalSince: null, resolvedEvalAt: now, resolvedAt };
      return result(resolved, { type: 'resolve', at: resolvedAt, finding: ep.finding }, resolvedAt);
    }
  }
}
