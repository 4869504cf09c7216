/**
 * alertmanager's `Notify() (retry bool, err)`, as data: what one POST to a channel came to, and whether trying again
 * can help. Pure, so the policy is tested with literal statuses.
 */
export type DeliveryResult =
  | { ok: true; status: number }
  | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };

/** A receiver asking for more than this is treated as asking for this: pages must not sit for a day. */
export const MAX_RETRY_AFTER_MS = 3600 * 1000;

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - nowMs;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** Keeps refusal reasons readable in a timeline: one line, bounded. */
export function snippet(body: string, max = 200): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Timeouts, rate limits and server trouble pass; any other refusal will be refused again. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

export function classifyResponse(status: number, retryAfter: string | null, body: string, nowMs: number): DeliveryResult {
  if (status >= 200 && status < 300) return { ok: true, status };
  const text = snippet(body);
  const reason = `HTTP ${status}${text ? `: ${text}` : ''}`;
  if (status >= 500 || RETRYABLE_4XX.has(status)) {
    const retryAfterMs = parseRetryAfter(retryAfter, nowMs);
    return { ok: false, retry: true, reason, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  // 3xx included: redirects are not followed (a POST must not silently become a GET elsewhere); fix the URL.
  return { ok: false, retry: false, reason };
}

/** fetch rejects with a TypeError whose `cause` has the socket error, or a TimeoutError from AbortSignal.timeout. */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs / 1000}s`;
  }
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
