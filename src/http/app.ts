import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { sdkCors } from './cors';
import { dashboardRouter } from './dashboard';
import { errorHandler, notFoundHandler } from './errors';

export interface HttpOptions {
  logger: Logger;
  metrics: Metrics;
  /** Routers in mounting order; each brings its own paths and auth. */
  routers: Router[];
  /** The built dashboard, served at / after every API route; absent in worker mode or when it was not built. */
  dashboardDir?: string | null;
  /** CORS_ORIGINS: set, browsers on these origins may call the SDK routes; unset, no CORS headers anywhere. */
  corsOrigins?: '*' | readonly string[] | undefined;
}

/**
 * The express app without a listener: tests and entry points both build it, then listen where they like
 * (tests on port 0). Bodies are read per route (./body.ts), each with its own limit.
 */
export function createHttpApp(opts: HttpOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        // Helmet's default policy suits the dashboard (scripts and styles from 'self' only) except this: it would make
        // browsers fetch the assets over HTTPS even where Vigil is served over plain HTTP inside a network.
        directives: { upgradeInsecureRequests: null },
      },
    }),
  );
  app.use(
    pinoHttp({
      logger: opts.logger,
      // The logger redacts `req.query.token`, but the same token also sits in the logged URL (acknowledge links).
      serializers: { req: (req: { url?: string }) => ({ ...req, url: redactQuery(req.url) }) },
      // Health probes and scrapes would drown the log.
      autoLogging: { ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '') },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    }),
  );
  app.use((req, res, next) => {
    const end = opts.metrics.httpRequestDuration.startTimer({ method: req.method });
    // The route template, not the URL, keeps label cardinality bounded.
    res.on('finish', () => end({ route: (req.route as { path?: string } | undefined)?.path ?? (res.statusCode === 404 ? 'unmatched' : req.baseUrl || 'other'), status: String(res.statusCode) }));
    next();
  });
  // Before the routers: a preflight carries no token, and error answers (401, 429, 503) need the headers too.
  if (opts.corsOrigins !== undefined) app.use(sdkCors(opts.corsOrigins));
  for (const router of opts.routers) app.use(router);
  if (opts.dashboardDir) app.use(dashboardRouter(opts.dashboardDir));
  app.use(notFoundHandler);
  app.use(errorHandler(opts.logger));
  return app;
}

/** A query parameter whose name says it carries a credential (the signed acknowledge link's `token`), and its value. */
const SECRET_PARAM = /([?&][^=&#]*(?:token|key|secret|signature|password)[^=&#]*=)[^&#]*/gi;

/** A request URL fit for a log line: credential values in the query become `<secret>`, the rest stays as sent. */
export function redactQuery(url: string | undefined): string | undefined {
  return url?.replace(SECRET_PARAM, '$1<secret>');
}
