import { createHmac } from 'node:crypto';
import { presentIncident } from '../../http/present';
import { JSON_HEADERS, type Formatter } from '../notification';

export const SIGNATURE_HEADER = 'x-vigil-signature';

/** `sha256=<hex HMAC-SHA256 of the raw body>`: what receivers recompute to trust a webhook. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The generic webhook of CONTRACT.md: the event, its dedupKey, the Incident as the API shows it, the ack link. */
export const formatWebhook: Formatter = (n) => {
  const body = JSON.stringify({
    event: n.event,
    dedupKey: n.dedupKey,
    ...(n.level === undefined ? {} : { level: n.level }),
    incident: presentIncident(n.incident),
    ackUrl: n.ackUrl,
  });
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (n.channel.secret) headers[SIGNATURE_HEADER] = signBody(n.channel.secret, body);
  return { url: n.channel.url, headers, body };
};
