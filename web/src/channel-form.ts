import type { ChannelType, Severity } from './types';

/** The new-channel form as typed; `channelBody` turns it into what POST /v1/channels takes. */
export interface ChannelDraft {
  type: ChannelType;
  url: string;
  secret: string;
  routingKey: string;
  apps: string[];
  minSeverity: Severity;
  escalateAfterMinutes: string;
}

export const emptyChannel: ChannelDraft = { type: 'webhook', url: '', secret: '', routingKey: '', apps: [], minSeverity: 'minor', escalateAfterMinutes: '' };

/** Only the fields this type of channel takes (a secret signs webhooks, a routing key is PagerDuty's), blanks left out. */
export function channelBody(d: ChannelDraft): Record<string, unknown> {
  return {
    type: d.type,
    url: d.url.trim(),
    ...(d.type === 'webhook' && d.secret ? { secret: d.secret } : {}),
    ...(d.type === 'pagerduty' ? { routingKey: d.routingKey.trim() } : {}),
    ...(d.apps.length > 0 ? { apps: d.apps } : {}),
    minSeverity: d.minSeverity,
    ...(d.escalateAfterMinutes.trim() ? { escalateAfterMinutes: Number(d.escalateAfterMinutes) } : {}),
  };
}
