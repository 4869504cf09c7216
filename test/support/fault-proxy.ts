import { once } from 'node:events';
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does to one request. `reset`: a TCP reset before anything reaches the service. `status`: the proxy
 * answers itself (429/503 with Retry-After). `slow`: the service's answer is held back `delayMs` (past the client's
 * timeout, it arrives at a closed socket: processed, answer lost). `lose-answer`: the service processes the request,
 * then the client gets a reset instead of the answer. `hold`: the request is never forwarded nor answered.
 */
export type Fault =
  | { kind: 'pass' }
  | { kind: 'reset' }
  | { kind: 'status'; status: 429 | 503; retryAfterSeconds: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'lose-answer' }
  | { kind: 'hold' };

export interface ProxiedRequest {
  /** 1-based, over the requests the plan was asked about. */
  n: number;
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  /** 0-based order in which this Idempotency-Key was first seen: the batch's number. */
  batch: number;
  /** 1-based: how many times this Idempotency-Key has come, this request included. */
  attempt: number;
  fault: Fault['kind'];
  /** The service's status, when the request reached it and it answered. */
  upstreamStatus?: number;
}

/** Decides the fault of each `POST /v1/events` by batch and attempt, so that extra retries (a slow machine) fit in. */
export type FaultPlan = (req: Pick<ProxiedRequest, 'n' | 'batch' | 'attempt'>) => Fault;

/**
 * A real HTTP proxy in front of the service that injects network faults into `POST /v1/events` following `plan`
 * (anything else passes). `log` records every event request, in arrival order, with what was done to it.
 */
export async function startFaultProxy(upstream: string, initialPlan: FaultPlan) {
  const target = new URL(upstream);
  const log: ProxiedRequest[] = [];
  let plan = initialPlan;
  const held: ServerResponse[] = [];
  const listeners: Array<(entry: ProxiedRequest) => void> = [];

  const relay = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const out = forward(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const isEvents = req.method === 'POST' && req.url === '/v1/events';
        const n = log.length + 1;
        const header = req.headers['idempotency-key'];
        const idempotencyKey = typeof header === 'string' ? header : undefined;
        const keys = [...new Set(log.map((e) => e.idempotencyKey))];
        const batch = keys.includes(idempotencyKey) ? keys.indexOf(idempotencyKey) : keys.length;
        const attempt = log.filter((e) => e.idempotencyKey === idempotencyKey).length + 1;
        const fault: Fault = isEvents ? plan({ n, batch, attempt }) : { kind: 'pass' };
        const entry: ProxiedRequest = { n, method: req.method ?? '', path: req.url ?? '', idempotencyKey, batch, attempt, fault: fault.kind };
        if (isEvents) log.push(entry);
        for (const listener of listeners) listener(entry);
        switch (fault.kind) {
          case 'reset':
            req.socket.resetAndDestroy();
            return;
          case 'hold':
            held.push(res);
            return;
          case 'status':
            res.writeHead(fault.status, { 'content-type': 'application/json', 'retry-after': String(fault.retryAfterSeconds) });
            res.end(JSON.stringify({ error: { code: fault.status === 429 ? 'rate_limited' : 'unavailable', message: 'injected by the test proxy' } }));
            return;
          default:
            // pass, slow and lose-answer go upstream first (below).
            break;
        }
        const answer = await relay(req, body);
        entry.upstreamStatus = answer.status;
        if (fault.kind === 'lose-answer') {
          req.socket.resetAndDestroy();
          return;
        }
        if (fault.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      })().catch(() => {
        if (!res.headersSent) req.socket.resetAndDestroy();
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    setPlan(next: FaultPlan) {
      plan = next;
    },
    /** Called with every request as it arrives, before its fault applies. */
    onRequest(listener: (entry: ProxiedRequest) => void) {
      listeners.push(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
