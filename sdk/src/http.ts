import { host, type FetchLike, type HeadersLike, type RequestInitLike, type Runtime } from './platform.js';

export interface HttpOptions {
  endpoint: string;
  ingestKey: string;
  fetch: FetchLike;
  timeoutMs: number;
  runtime: Runtime;
}

export interface HttpAnswer {
  status: number;
  headers: HeadersLike;
  body: string;
}

/**
 * One authenticated call to the service, body read in full. Throws on network errors and on timeout (the timeout
 * covers the body too: a stalled answer is as bad as none).
 */
export async function request(opts: HttpOptions, path: string, init: RequestInitLike): Promise<HttpAnswer> {
  const controller = host.AbortController ? new host.AbortController() : undefined;
  const timer = controller ? opts.runtime.setTimeout(() => controller.abort(), opts.timeoutMs) : undefined;
  try {
    const res = await opts.fetch(`${opts.endpoint}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${opts.ingestKey}`, ...init.headers },
      ...(controller ? { signal: controller.signal } : {}),
    });
    return { status: res.status, headers: res.headers, body: await res.text() };
  } finally {
    if (timer !== undefined) opts.runtime.clearTimeout(timer);
  }
}

/** The service's `{"error": {"code", "message"}}` as one line, or the start of whatever else came back. */
export function errorMessage(answer: HttpAnswer): string {
  try {
    const { error } = JSON.parse(answer.body) as { error?: { code?: string; message?: string } };
    if (error?.message) return `${answer.status} ${error.code ?? 'error'}: ${error.message}`;
  } catch {
    // not JSON: a proxy's page
  }
  return `${answer.status} ${answer.body.slice(0, 200)}`.trim();
}

/** The server's clock from the `Date` header, for the device's clock skew; undefined when absent. */
export function serverTime(headers: HeadersLike): number | undefined {
  const date = headers.get('date');
  const ms = date === null ? NaN : Date.parse(date);
  return Number.isNaN(ms) ? undefined : ms;
}
