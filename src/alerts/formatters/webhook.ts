import { createHmac } from 'node:crypto';
import { presentIncident } from '../../incidents/present';
import { JSON_HEADERS, type Formatter } from '../notification';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`: the signature receivers should check. */
export const SIGNATURE_HEADER = 'vigil-signature';
/** `sha256=<hex HMAC-SHA256 of the raw body>`: the first signature, without a timestamp. Deprecated; sent for one more release. */
export const LEGACY_SIGNATURE_HEADER = 'x-vigil-signature';

const hmacHex = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

/** The legacy form: a captured request stays valid forever, so a receiver cannot tell a replay from a page. */
export function signBodyLegacy(secret: string, body: string): string {
  return `sha256=${hmacHex(secret, body)}`;
}

/** Signs the send time with the body, so a receiver can refuse a request replayed minutes later. */
export function signBody(secret: string, body: string, sentAtMs: number): string {
  const t = Math.floor(sentAtMs / 1000);
  return `t=${t},v1=${hmacHex(secret, `${t}.${body}`)}`;
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
  if (n.channel.secret) {
    headers[SIGNATURE_HEADER] = signBody(n.channel.secret, body, n.sentAt);
    headers[LEGACY_SIGNATURE_HEADER] = signBodyLegacy(n.channel.secret, body);
  }
  return { url: n.channel.url, headers, body };
};
