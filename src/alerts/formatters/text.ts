/**
 * Receivers cap their fields (Slack: 3,000 characters per section text, 2,000 per field; PagerDuty: 1,024 per
 * summary) and refuse or mangle what is longer. Titles and culprits carry operator and telemetry text of any length,
 * so every formatter fits its values here. Lengths count code points: cutting UTF-16 units can split an emoji's
 * surrogate pair and leave an invalid string.
 */

const ELLIPSIS = '…';

/** At most `max` characters, ending in "…" when anything was cut. */
export function truncate(text: string, max: number): string {
  // Code points never outnumber UTF-16 units: most values need no counting at all.
  if (text.length <= max) return text;
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, Math.max(0, max - 1)).join('') + ELLIPSIS;
}

/** Slack treats `&`, `<` and `>` as control characters (`<!channel>` pings everyone); everything else shows as written. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped, then fitted: the limit applies to what Slack receives, and a cut never leaves half an entity ("&am…"). */
export function mrkdwn(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  const fitted = truncate(escaped, max);
  // After escaping, every "&" starts an entity, so a trailing "&" with fewer than four letters is a partial one.
  return fitted === escaped ? fitted : fitted.replace(/&[a-z]{0,3}…$/, ELLIPSIS);
}
