import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as sent (gunzipped when Content-Encoding is gzip). */
  body: string;
  /** The body parsed as JSON, when it is. */
  json: unknown;
}

/** How the receiver answers one request: status, headers, body (JSON-encoded unless a string), or `reset` the socket. */
export type Answer = { status: number; headers?: Record<string, string>; body?: unknown } | 'reset';

/**
 * A real local HTTP server standing in for the service in the SDK's unit tests (no mocked fetch): it records every
 * request and answers with `answer(request)`, which tests change as they go.
 */
export async function startReceiver(answer: (req: Received) => Answer) {
  const received: Received[] = [];
  let respond = answer;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const request: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json };
      received.push(request);
      const reply = respond(request);
      if (reply === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      // No automatic Date: the SDK reads it as the service's clock, which a test sets explicitly when it means to.
      res.sendDate = false;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(text);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    /** Requests to POST /v1/events so far. */
    batches: () => received.filter((r) => r.path === '/v1/events'),
    setAnswer(next: (req: Received) => Answer) {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The service's answer to a good batch: everything accepted. */
export const accepted = (req: Received): Answer => ({
  status: 202,
  body: { accepted: (req.json as { events: unknown[] }).events.length, rejected: [] },
});

/** Polls until `probe` is true, or fails after `timeoutMs`: for effects of real I/O the test cannot await directly. */
export async function until(probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
