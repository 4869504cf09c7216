import type { Impact, IncidentKind, Severity, SuspectedCause } from '../types';

/** What the detector believes about one anomaly right now. */
export interface Finding {
  kind: IncidentKind;
  /** Stable identity of the anomaly within an app, e.g. `error_rate` or `error_rate:appVersion=5.2.0`. */
  fingerprint: string;
  severity: Severity;
  /** The detector's estimate of when the anomaly began (change point), epoch ms. */
  startedAt: number;
  impact: Impact;
  suspectedCause: SuspectedCause | null;
}

/**
 * The detector's output. It never touches the store: the live incident service and the backtest both apply these
 * through the same state machine (src/domain/incident-machine.ts).
 * - open: sustained evidence of a new anomaly; `at` is detectedAt.
 * - update: the anomaly goes on; fresher impact / severity / cause.
 * - resolve: sustained return to normal; `at` is resolvedAt.
 * - reopen: a relapse within the cool-down after a resolve; the same incident opens again.
 */
export type Signal =
  | { type: 'open'; at: number; finding: Finding }
  | { type: 'update'; at: number; finding: Finding }
  | { type: 'resolve'; at: number; finding: Finding }
  | { type: 'reopen'; at: number; finding: Finding };
