import type { Channel, Incident } from '../domain/types';
import type { NotifyEvent } from '../queue/names';

/** Everything a formatter needs to render one logical notification; formatters are pure functions of it. */
export interface Notification {
  event: NotifyEvent;
  dedupKey: string;
  /** When the event happened (epoch ms). */
  occurredAt: number;
  /** When this attempt is sent (epoch ms): signatures carry it so receivers can refuse replays. */
  sentAt: number;
  /** Escalation level, for incident.escalated. */
  level: number | undefined;
  incident: Incident;
  channel: Channel;
  /** Signed, expiring link that acknowledges the incident without the admin token. */
  ackUrl: string;
  /** The incident in the operator API. */
  incidentUrl: string;
}

/** One HTTP POST, fully rendered: what the delivery step sends as is. */
export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type Formatter = (notification: Notification) => OutboundRequest;

export const JSON_HEADERS = { 'content-type': 'application/json', 'user-agent': 'vigil-alerts/1' } as const;

/** A human headline for the event, shared by the chat-style formatters. */
export function headline(n: Pick<Notification, 'event' | 'level'>): string {
  switch (n.event) {
    case 'incident.opened':
      return 'Incident opened';
    case 'incident.escalated':
      return `Incident escalated (level ${n.level ?? 1}): not acknowledged yet`;
    case 'incident.acknowledged':
      return 'Incident acknowledged';
    case 'incident.resolved':
      return 'Incident resolved';
  }
}

/** Whether the page asks someone to act: the acknowledge link only makes sense before anyone did. */
export function wantsAction(event: NotifyEvent): boolean {
  return event === 'incident.opened' || event === 'incident.escalated';
}

/**
 * A channel URL fit for timelines and logs: Slack and many webhook services carry their credential in the path or
 * query, so only the origin is shown.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname === '/' && u.search === '' ? u.origin : `${u.origin}/…`;
  } catch {
    return '<invalid url>';
  }
}
