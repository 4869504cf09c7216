import { Router } from 'express';
import { z } from 'zod';
import { INCIDENT_STATUSES } from '../../domain/types';
import { APP_HEALTH, type PublicStatusCache } from '../../incidents/public-status';
import { ingestApp, limitPerIngestKey, type Auth } from '../auth';
import type { RateLimit } from '../rate-limit';
import { routesOn } from '../route';
import { iso } from '../../incidents/present';
import { IsoTime } from '../schemas';

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

export const StatusOut = z
  .object({
    status: z.enum(APP_HEALTH),
    incidents: z.array(
      z.object({
        id: z.string(),
        title: z.string().describe('The operator’s public message, or a generic one: never engineering details'),
        status: z.enum(INCIDENT_STATUSES),
        startedAt: IsoTime,
        message: z.string(),
      }),
    ),
  })
  .meta({ id: 'Status' });

/**
 * GET /v1/status, polled by every device of an app for its in-app banner. `private`: the response depends on the
 * ingest key, and every app polls the same URL, so a shared cache keyed on the URL would hand one app's banner to
 * another; the device itself may keep it for 15 s and revalidate with If-None-Match (304, no body).
 */
export function statusRouter(deps: { auth: Auth; status: PublicStatusCache; limit: RateLimit }): Router {
  const router = Router();
  const route = routesOn(router, deps.auth);

  route(
    {
      method: 'get',
      path: '/v1/status',
      tag: 'Status',
      summary: 'What the app’s in-app banner should say (cacheable: ETag, If-None-Match → 304)',
      access: 'ingest',
      headers: { 'If-None-Match': { description: 'The ETag of the last answer: 304 when nothing changed' } },
      responses: { 200: { description: 'The app’s status', schema: StatusOut }, 304: { description: 'Unchanged since the ETag given' } },
    },
    limitPerIngestKey(deps.limit),
    async (_input, req, res) => {
      const { status, etag } = await deps.status.get(ingestApp(res).id);
      res.setHeader('Cache-Control', 'private, max-age=15');
      res.append('Vary', 'Authorization');
      res.setHeader('ETag', etag);
      if (matchesWeakly(req.headers['if-none-match'], etag)) {
        res.status(304).end();
        return;
      }
      res.json({ ...status, incidents: status.incidents.map((i) => ({ ...i, startedAt: iso(i.startedAt) })) } satisfies z.input<typeof StatusOut>);
    },
  );

  return router;
}
