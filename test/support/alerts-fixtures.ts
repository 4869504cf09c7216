import type { Notification } from '../../src/alerts/notification';
import type { Channel, Incident } from '../../src/domain/types';

export const T0 = Date.parse('2023-04-12T14:02:00.000Z');

/** The seed team's outage, as the detector would have written it. */
export function literalIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc_0lg8xk2w0a1b2c3d4e5f6a7b8',
    app: 'app_shop-ios',
    fingerprint: 'error_rate:all',
    kind: 'error_rate',
    status: 'open',
    severity: 'critical',
    title: 'Login failures at 38% (baseline 1.5%) — app version 5.2.0, released 13:40 UTC',
    startedAt: T0 - 20 * 60_000,
    detectedAt: T0,
    acknowledgedAt: null,
    resolvedAt: null,
    impact: { errorRate: 0.38, baselineErrorRate: 0.015, failedLogins: 5230, affectedUsers: 4100, affectedUserPct: 0.4 },
    suspectedCause: {
      dimension: 'appVersion',
      value: '5.2.0',
      share: 0.97,
      release: { appVersion: '5.2.0', releasedAt: T0 - 22 * 60_000 },
    },
    timeline: [
      { at: T0 - 20 * 60_000, type: 'started', message: 'Anomaly began' },
      { at: T0, type: 'detected', message: 'Vigil detected: …' },
    ],
    publicMessage: null,
    updatedAt: T0,
    version: 1,
    ...overrides,
  };
}

export function literalChannel(overrides: Partial<Channel> = {}): Channel {
  return {
    id: 'ch_0lg8xk2w0ffffffffffffffff',
    type: 'webhook',
    url: 'https://hooks.example.com/vigil/T0K3N',
    secret: null,
    routingKey: null,
    apps: null,
    minSeverity: 'minor',
    escalateAfterMinutes: null,
    createdAt: T0 - 86_400_000,
    ...overrides,
  };
}

export const LITERAL_ACK_URL = 'https://vigil.example.com/v1/incidents/inc_0lg8xk2w0a1b2c3d4e5f6a7b8/ack?token=abc.def';
export const LITERAL_INCIDENT_URL = 'https://vigil.example.com/v1/incidents/inc_0lg8xk2w0a1b2c3d4e5f6a7b8';

/** The opening page of the literal incident to the literal channel, sent 1.5 s after detection. */
export function literalNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    event: 'incident.opened',
    dedupKey: 'inc_0lg8xk2w0a1b2c3d4e5f6a7b8-opened-1',
    occurredAt: T0,
    sentAt: T0 + 1500,
    level: undefined,
    incident: literalIncident(),
    channel: literalChannel(),
    ackUrl: LITERAL_ACK_URL,
    incidentUrl: LITERAL_INCIDENT_URL,
    ...overrides,
  };
}
