import type { Incident } from '../domain/types';

/**
 * What happened to an incident, told to whoever reacts to it (the notifier pages, the postmortem drafter writes).
 * Listeners must be idempotent: after a crash the incident service tells the same event again rather than lose it.
 */
export type IncidentEventName = 'opened' | 'reopened' | 'acknowledged' | 'resolved';

export type IncidentListener = (event: IncidentEventName, incident: Incident) => Promise<void>;
