import { createServer, type Server } from 'node:http';
import type { Express } from 'express';

export interface ServerTimeouts {
  /** Time a client has to send the request headers: a slow-headers (slowloris) client is cut off here. */
  headersTimeoutMs: number;
  /** Time for the whole request, body included: 1 MiB over a poor mobile link fits, a trickle forever does not. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open for the next request. */
  keepAliveTimeoutMs: number;
}

/**
 * Node's defaults let a client hold a connection for 60 s before its headers and 300 s per request, checked every
 * 30 s: cheap for an attacker to exhaust. Behind a load balancer whose idle timeout is longer than keepAlive, raise
 * keepAlive above it (or the balancer may reuse a connection Node is closing).
 */
export const SERVER_TIMEOUTS: ServerTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 };

/** The HTTP server of an express app, with every timeout set explicitly. Not listening yet. */
export function createHttpServer(app: Express, timeouts: ServerTimeouts = SERVER_TIMEOUTS): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      // How often expired headers/request timers are swept; by default every 30 s, which would stretch the limits.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, timeouts.headersTimeoutMs / 4)),
    },
    app,
  );
  return server;
}
