/**
 * alertmanager's `Notify() (retry bool, err)`, as data, in two pure steps: what one POST came to (`PostResult`, from
 * post.ts), then what the delivery job should do about it (`DeliveryOutcome`). workers/notify.ts maps outcomes to
 * BullMQ; nothing here knows about jobs, so the policy is tested with literal statuses.
 */

/** What one POST came to. Only the receiver's status is kept: its body is theirs and may echo anything back. */
export type PostResult =
  | { kind: 'answered'; status: number; retryAfter: string | null }
  /** No answer: connection refused or reset, DNS failure, timeout. */
  | { kind: 'unreachable'; reason: string }
  /** Not sent at all: the target is not allowed (targets.ts), e.g. its name resolved to a private address. */
  | { kind: 'blocked'; reason: string };

export type DeliveryOutcome =
  | { kind: 'sent' }
  /** Nothing to send (already delivered, channel deleted, a newer state already delivered): the job is done. */
  | { kind: 'skip'; reason: string }
  /** Try again: after `afterMs` when the receiver said how long (the wait uses up no attempt), else with backoff. */
  | { kind: 'retry'; reason: string; afterMs?: number }
  /** Retryable, but the attempts are used up. */
  | { kind: 'giveUp'; reason: string }
  /** Will never succeed as it is (a 4xx, a redirect, a refused target): no retry. `reason` reads "refused by …". */
  | { kind: 'refuse'; reason: string };

/** Where a delivery job stands; BullMQ's counters, as plain numbers. */
export interface AttemptInfo {
  /** 1 for the first attempt; waits asked for by the receiver do not count. */
  attempt: number;
  maxAttempts: number;
  /** Times the job has started, waits included. */
  starts: number;
}

/** A receiver asking for more than this is treated as asking for this: pages must not sit for a day. */
export const MAX_RETRY_AFTER_MS = 3600 * 1000;

/**
 * Waiting for a receiver's Retry-After does not use up an attempt, so a receiver that keeps asking to wait is bounded
 * by how often the job may start at all; past this, waits count as ordinary attempts.
 */
export const MAX_STARTS_HONOURING_RETRY_AFTER = 24;

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - nowMs;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** Timeouts, rate limits and server trouble pass; any other refusal will be refused again. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || RETRYABLE_4XX.has(status);
}

/**
 * Another try: after `afterMs` when someone said how long to wait (a receiver's Retry-After, or another delivery to
 * the same channel finishing) and the job has not started too often yet, else with backoff while attempts remain.
 */
export function retryOutcome(reason: string, afterMs: number | undefined, at: AttemptInfo): DeliveryOutcome {
  if (afterMs !== undefined && at.starts <= MAX_STARTS_HONOURING_RETRY_AFTER) return { kind: 'retry', reason, afterMs };
  if (at.attempt >= at.maxAttempts) return { kind: 'giveUp', reason };
  return { kind: 'retry', reason };
}

/** The delivery step's decision for one POST's result. */
export function decideOutcome(result: PostResult, at: AttemptInfo, nowMs: number): DeliveryOutcome {
  switch (result.kind) {
    case 'blocked':
      return { kind: 'refuse', reason: `refused by Vigil: ${result.reason}` };
    case 'unreachable':
      return retryOutcome(result.reason, undefined, at);
    case 'answered': {
      const { status } = result;
      if (status >= 200 && status < 300) return { kind: 'sent' };
      // 3xx included: redirects are not followed (a POST must not silently go elsewhere, maybe inside); fix the URL.
      if (!isRetryableStatus(status)) return { kind: 'refuse', reason: `refused by the channel: HTTP ${status}` };
      return retryOutcome(`HTTP ${status}`, parseRetryAfter(result.retryAfter, nowMs), at);
    }
  }
}

/** Node's socket errors carry a code (ECONNREFUSED…); an aborted request is our deadline passing. */
export function describeRequestError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs / 1000}s`;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.message : String(err);
}
