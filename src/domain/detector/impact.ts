import type { Counts, Impact, Severity } from '../types';
import type { DetectorSettings } from './settings';
import type { Finding } from './signals';

/** Error-rate severity: how many users are hurt, or how bad logins are, whichever is worse. */
export function errorSeverity(impact: Impact, settings: DetectorSettings): Severity {
  const { critical, major } = settings.severity;
  if (impact.affectedUserPct >= critical.affectedUserPct || impact.errorRate >= critical.errorRate) return 'critical';
  if (impact.affectedUserPct >= major.affectedUserPct || impact.errorRate >= major.errorRate) return 'major';
  return 'minor';
}

/** Volume-drop severity from the fraction (0..1) of expected logins missing. */
export function volumeSeverity(drop: number, settings: DetectorSettings): Severity {
  const { critical, major } = settings.severity;
  if (drop >= critical.volumeDrop) return 'critical';
  if (drop >= major.volumeDrop) return 'major';
  return 'minor';
}

/** Impact of an error-rate anomaly from the counts over the incident so far. */
export function errorImpact(totals: Counts, baselineErrorRate: number): Impact {
  return {
    errorRate: totals.attempts > 0 ? totals.failures / totals.attempts : 0,
    baselineErrorRate,
    failedLogins: totals.failures,
    affectedUsers: totals.failedUsers,
    affectedUserPct: totals.users > 0 ? Math.min(1, totals.failedUsers / totals.users) : 0,
  };
}

/**
 * Replaces the detector's own estimate of affected users (summed per-minute counts, which count a user once per
 * minute) with distinct users over the incident, as the counters know them, and re-grades the severity.
 * Volume drops keep theirs: their affected users are the ones who never reached the login screen.
 */
export function withDistinctUsers(
  finding: Finding,
  users: { users: number; failedUsers: number },
  settings: DetectorSettings,
): Finding {
  if (finding.kind !== 'error_rate' || users.users <= 0) return finding;
  const impact: Impact = {
    ...finding.impact,
    affectedUsers: users.failedUsers,
    affectedUserPct: Math.min(1, users.failedUsers / users.users),
  };
  return { ...finding, impact, severity: errorSeverity(impact, settings) };
}
