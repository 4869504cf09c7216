import { parseRetryAfter } from './backoff.js';
import { errorMessage, request, serverTime, type HttpOptions } from './http.js';
import { host } from './platform.js';
import type { LoginEvent, RejectedEvent } from './types.js';

/**
 * What became of one batch. `accepted`: 2xx, settled (some events may be rejected, for good); `refused`: a final
 * answer for the whole batch (4xx other than 429); `retry`: nothing is known to be counted, send it again under the
 * same key, after `retryAfterMs` when the service said so (429, 503), after a backoff otherwise.
 */
export type SendOutcome = (
  | { kind: 'accepted'; accepted: number; rejected: RejectedEvent[] }
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'retry'; retryAfterMs: number | undefined; reason: string }
) & {
  /** The service's clock when it answered, if it said. */
  serverTime?: number;
};

/** Bodies smaller than this gain little from gzip. */
const GZIP_MIN_BYTES = 1024;
/** Browsers refuse `keepalive` requests whose bodies add up to more than 64 KiB. */
export const KEEPALIVE_MAX_BYTES = 64 * 1024;

/** gzip through the platform's CompressionStream (browsers, Node); undefined where there is none (React Native). */
async function gzip(text: string): Promise<Uint8Array | undefined> {
  const { CompressionStream, Response } = host;
  if (!CompressionStream || !Response) return undefined;
  const body = new Response(text).body;
  if (!body) return undefined;
  return new Uint8Array(await new Response(body.pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
}

export interface SendOptions {
  /**
   * The page may be going away (`pagehide`): ask the browser to finish the request after it, and send plain JSON,
   * since compression may not finish in time.
   */
  keepalive: boolean;
}

/** `POST /v1/events`: one batch, one request, one explicit outcome. Knows nothing about queues or timers. */
export class EventsTransport {
  constructor(
    private readonly http: HttpOptions,
    private readonly compress: boolean,
  ) {}

  async send(key: string, events: LoginEvent[], opts: SendOptions): Promise<SendOutcome> {
    const json = JSON.stringify({ events });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': key };
    let body: string | Uint8Array = json;
    if (this.compress && !opts.keepalive && json.length >= GZIP_MIN_BYTES) {
      const gz = await gzip(json).catch(() => undefined);
      if (gz) {
        body = gz;
        headers['content-encoding'] = 'gzip';
      }
    }
    let answer;
    try {
      answer = await request(this.http, '/v1/events', {
        method: 'POST',
        headers,
        body,
        ...(opts.keepalive && json.length <= KEEPALIVE_MAX_BYTES ? { keepalive: true } : {}),
      });
    } catch (err) {
      return { kind: 'retry', retryAfterMs: undefined, reason: `network error: ${String(err)}` };
    }
    const time = serverTime(answer.headers);
    const stamp = time === undefined ? {} : { serverTime: time };
    const { status } = answer;
    if (status >= 200 && status < 300) return { kind: 'accepted', ...readAccepted(answer.body, events.length), ...stamp };
    if (status === 429 || status === 503) {
      const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'), time ?? this.http.runtime.now());
      return { kind: 'retry', retryAfterMs, reason: errorMessage(answer), ...stamp };
    }
    if (status >= 500) return { kind: 'retry', retryAfterMs: undefined, reason: errorMessage(answer), ...stamp };
    return { kind: 'refused', status, message: errorMessage(answer), ...stamp };
  }
}

/** The 202's counts; a 2xx whose body is not the service's (a proxy's) still settles the batch. */
function readAccepted(body: string, sent: number): { accepted: number; rejected: RejectedEvent[] } {
  try {
    const parsed = JSON.parse(body) as { accepted?: unknown; rejected?: unknown };
    const rejected = Array.isArray(parsed.rejected) ? (parsed.rejected as RejectedEvent[]) : [];
    return { accepted: typeof parsed.accepted === 'number' ? parsed.accepted : sent - rejected.length, rejected };
  } catch {
    return { accepted: sent, rejected: [] };
  }
}
