import type { OutboundRequest } from './notification';
import { classifyResponse, describeFetchError, type DeliveryResult } from './outcome';

/** The one place Vigil talks HTTP to the outside: a POST with a deadline, turned into a DeliveryResult. */
export async function post(request: OutboundRequest, timeoutMs: number, now: () => number): Promise<DeliveryResult> {
  try {
    const res = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read the body (bounded by the same deadline) so the socket is released and a refusal can say why.
    const body = await res.text().catch(() => '');
    return classifyResponse(res.status, res.headers.get('retry-after'), body, now());
  } catch (err) {
    return { ok: false, retry: true, reason: describeFetchError(err, timeoutMs) };
  }
}
