import type { ResolvedIncident } from '../../src/domain/postmortem/facts';

/** Epoch ms of an HH:MM on the seed incident's day. */
export const at = (hhmm: string, day = '2023-04-12') => Date.parse(`${day}T${hhmm}:00Z`);

/** The seed incident as Vigil would record it: 5.2.0 released 14:00, failing until the rollback at 17:30. */
export function seedIncident(overrides: Partial<ResolvedIncident> = {}): ResolvedIncident {
  return {
    id: 'inc_seed',
    app: 'app_shop',
    fingerprint: 'error_rate:appVersion=5.2.0',
    kind: 'error_rate',
    status: 'resolved',
    severity: 'critical',
    title: 'Login failures at 38% (baseline 1.5%) — app version 5.2.0, released 14:00 UTC',
    startedAt: at('14:00'),
    detectedAt: at('14:02'),
    acknowledgedAt: at('14:24'),
    resolvedAt: at('17:30'),
    impact: { errorRate: 0.38, baselineErrorRate: 0.015, failedLogins: 5230, affectedUsers: 4100, affectedUserPct: 0.4 },
    suspectedCause: {
      dimension: 'appVersion',
      value: '5.2.0',
      share: 0.97,
      release: { appVersion: '5.2.0', releasedAt: at('14:00') },
    },
    timeline: [
      { at: at('14:00'), type: 'started', message: 'Anomaly began (estimated change point) in app version 5.2.0, released 14:00 UTC' },
      { at: at('14:02'), type: 'detected', message: 'Vigil detected: Login failures at 38% (baseline 1.5%)' },
      { at: at('14:03'), type: 'alerted', message: 'Paged on-call via pagerduty' },
      { at: at('14:18'), type: 'escalated', message: 'Escalated: not acknowledged after 15 min' },
      { at: at('14:24'), type: 'acknowledged', message: 'Acknowledged by dana', by: 'dana' },
      { at: at('15:10'), type: 'note', message: 'Servers look healthy; checking the app release', by: 'dana' },
      { at: at('17:30'), type: 'resolved', message: 'Resolved by dana: rolled back to 5.1.3', by: 'dana' },
    ],
    publicMessage: null,
    updatedAt: at('17:30'),
    version: 9,
    ...overrides,
  };
}
