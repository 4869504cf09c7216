import { existsSync } from 'node:fs';
import path from 'node:path';
import compression from 'compression';
import express, { Router } from 'express';
import { PACKAGE_ROOT } from '../package';

/** Vite names every built asset by its content hash under assets/: a new build is a new URL, so they never go stale. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Where `npm run build` puts the dashboard: dist/web at the package root; null when it was not built. */
export function builtDashboardDir(root: string = PACKAGE_ROOT): string | null {
  const web = path.join(root, 'dist', 'web');
  return existsSync(path.join(web, 'index.html')) ? web : null;
}

/**
 * The operators' dashboard at /: its assets with long cache headers, and index.html (never cached, so a deploy is
 * picked up at once) for every page path the client-side router owns. API and service paths keep their 404s.
 */
export function dashboardRouter(dir: string): Router {
  const router = Router();
  const index = path.join(dir, 'index.html');
  // Gzip for the dashboard's files only (a third of the bytes on a phone's connection); API answers are left as they are.
  router.use(compression());
  router.use(
    express.static(dir, {
      index: false,
      redirect: false,
      setHeaders: (res, file) => {
        const hashed = path.relative(dir, file).startsWith(`assets${path.sep}`);
        res.setHeader('Cache-Control', hashed ? IMMUTABLE : 'no-cache');
      },
    }),
  );
  router.get(/^\/(?!v1\/|v1$|assets\/)[^.]*$/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
