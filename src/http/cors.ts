import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * The routes a browser build of the SDK calls, with the one method each takes. Operator routes never get CORS
 * headers: the dashboard is served from the API's own origin, and a page elsewhere has no business calling them.
 */
const SDK_ROUTES: Readonly<Record<string, 'GET' | 'POST'>> = {
  '/v1/events': 'POST',
  '/v1/status': 'GET',
  '/v1/releases': 'POST',
};

/** What the SDK sends beyond the CORS-safelisted headers, and what it reads of the answers. */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Content-Encoding', 'Idempotency-Key', 'If-None-Match'];
/** `Date` lets the SDK measure the device's clock skew. */
const EXPOSED_HEADERS = ['Retry-After', 'ETag', 'Date'];
/** Browsers may cache a preflight this long (Chromium caps it at 2 h): one preflight per route per 10 min per device. */
const PREFLIGHT_MAX_AGE_S = 600;

/** CORS for the SDK routes and their preflights (CORS_ORIGINS), through the `cors` package. */
export function sdkCors(origins: '*' | readonly string[]): RequestHandler {
  const perRoute = new Map(
    Object.entries(SDK_ROUTES).map(([path, method]) => [
      path,
      {
        method,
        handler: cors({
          origin: origins === '*' ? '*' : [...origins],
          methods: [method],
          allowedHeaders: ALLOWED_HEADERS,
          exposedHeaders: EXPOSED_HEADERS,
          maxAge: PREFLIGHT_MAX_AGE_S,
        }),
      },
    ]),
  );
  return (req, res, next) => {
    // Express matches routes with or without a trailing slash; so does this.
    const route = perRoute.get(req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path);
    // A preflight asks for a method: only the SDK's own (GET /v1/releases is an operator route).
    const method = req.method === 'OPTIONS' ? req.headers['access-control-request-method'] : req.method;
    if (!route || method !== route.method) return next();
    route.handler(req, res, next);
  };
}
