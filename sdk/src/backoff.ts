/** When to try again: pure policy, with the clock value and the random source passed in. */

/** The first retry waits up to this long; each further failure doubles the ceiling. */
export const RETRY_BASE_MS = 1_000;
/** The ceiling of a computed delay: a phone back online should not wait long for its first try. */
export const RETRY_MAX_MS = 5 * 60_000;
/** A server's Retry-After beyond this is taken as this: a misconfigured proxy must not park telemetry for days. */
export const RETRY_AFTER_MAX_MS = 60 * 60_000;

/**
 * Exponential backoff with full jitter (a uniform delay between 0 and the ceiling), so that a fleet of phones coming
 * back online at once does not retry in lockstep. `attempt` counts failures so far, from 1; `random` is in [0, 1).
 */
export function backoffDelay(attempt: number, random: number, baseMs = RETRY_BASE_MS, maxMs = RETRY_MAX_MS): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.floor(random * ceiling);
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  // An HTTP date starts with the day's name; anything else that Date.parse would take ("-5") is not one.
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : /^[A-Za-z]/.test(value) ? Date.parse(value) - now : NaN;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), RETRY_AFTER_MAX_MS);
}
