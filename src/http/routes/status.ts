import { Router } from 'express';
import type { PublicStatusCache } from '../../incidents/public-status';
import { ingestApp, limitPerIngestKey, type Auth } from '../auth';
import type { RateLimit } from '../rate-limit';
import { iso } from '../present';

/**
 * GET /v1/status, polled by every device of an app for its in-app banner. `private`: the response depends on the
 * ingest key, and every app polls the same URL, so a shared cache keyed on the URL would hand one app's banner to
 * another; the device itself may keep it for 15 s and revalidate with If-None-Match (304, no body).
 */
/**
 * If-None-Match by weak comparison (RFC 9110 §13.1.2). Not `req.fresh`: it ignores a validator sent with
 * `Cache-Control: no-cache`, which some clients (fetch) add to every conditional request, and the origin should still
 * answer those with 304.
 */
function matchesWeakly(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

export function statusRouter(deps: { auth: Auth; status: PublicStatusCache; limit: RateLimit }): Router {
  const router = Router();

  router.get('/v1/status', deps.auth.ingest, limitPerIngestKey(deps.limit), async (req, res) => {
    const { status, etag } = await deps.status.get(ingestApp(res).id);
    res.setHeader('Cache-Control', 'private, max-age=15');
    // Appended, not set: CORS adds `Vary: Origin` before this runs.
    res.vary('Authorization');
    res.setHeader('ETag', etag);
    if (matchesWeakly(req.headers['if-none-match'], etag)) {
      res.status(304).end();
      return;
    }
    res.json({ ...status, incidents: status.incidents.map((i) => ({ ...i, startedAt: iso(i.startedAt) })) });
  });

  return router;
}
