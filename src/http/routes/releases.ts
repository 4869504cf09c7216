import { Router } from 'express';
import { z } from 'zod';
import type { AppService } from '../../apps/service';
import type { Clock } from '../../clock';
import { PLATFORMS, type Release } from '../../domain/types';
import { badRequest } from '../../errors';
import type { ReleaseStore } from '../../store/ports';
import { limitPerIngestKey, principalOf, type Auth } from '../auth';
import { iso } from '../../incidents/present';
import type { RateLimit } from '../rate-limit';
import { routesOn } from '../route';
import { Id, IsoTime, Time } from '../schemas';

const CreateRelease = z.strictObject({
  appVersion: z.string().trim().min(1).max(64),
  platform: z.enum(PLATFORMS).optional(),
  releasedAt: Time.optional().describe('Default: now'),
  rolloutPercent: z.number().min(0).max(100).optional(),
  notes: z.string().max(2000).optional(),
  app: Id.optional().describe('Required with the admin token; an ingest key implies its own app'),
});

export const ReleaseOut = z
  .object({
    id: z.string(),
    app: z.string(),
    appVersion: z.string(),
    platform: z.enum(PLATFORMS).nullable(),
    releasedAt: IsoTime,
    rolloutPercent: z.number().nullable(),
    notes: z.string().nullable(),
    createdAt: IsoTime,
  })
  .meta({ id: 'Release' });

const present = (r: Release): z.input<typeof ReleaseOut> => ({ ...r, releasedAt: iso(r.releasedAt), createdAt: iso(r.createdAt) });

/** Releases: registered by CI (or the app) so that an incident can name the release that shipped its culprit. */
export function releasesRouter(deps: { auth: Auth; releases: ReleaseStore; apps: AppService; clock: Clock; limit: RateLimit }): Router {
  const router = Router();
  const route = routesOn(router, deps.auth);
  const tag = 'Releases';

  route(
    {
      method: 'post',
      path: '/v1/releases',
      tag,
      summary: 'Register a release of an app version',
      access: 'adminOrIngest',
      body: CreateRelease,
      responses: { 201: { description: 'The release', schema: ReleaseOut } },
    },
    limitPerIngestKey(deps.limit),
    async ({ body }, _req, res) => {
      const principal = principalOf(res);
      let app: string;
      if (principal.kind === 'ingest') {
        if (body.app !== undefined && body.app !== principal.app.id) {
          throw badRequest('app: an ingest key can only register releases of its own app', [{ field: 'app', message: 'not this key’s app' }]);
        }
        app = principal.app.id;
      } else {
        if (body.app === undefined) throw badRequest('app: required with the admin token', [{ field: 'app', message: 'Required' }]);
        app = (await deps.apps.get(body.app)).id;
      }
      const now = deps.clock.now();
      const release = await deps.releases.create({
        app,
        appVersion: body.appVersion,
        platform: body.platform ?? null,
        releasedAt: body.releasedAt ?? now,
        rolloutPercent: body.rolloutPercent ?? null,
        notes: body.notes ?? null,
        createdAt: now,
      });
      res.status(201).json(present(release));
    },
  );

  route(
    {
      method: 'get',
      path: '/v1/releases',
      tag,
      summary: 'List releases, oldest first',
      access: 'admin',
      query: z.strictObject({ app: Id.optional() }),
      responses: { 200: { description: 'Releases', schema: z.object({ releases: z.array(ReleaseOut) }) } },
    },
    async ({ query }, _req, res) => {
      res.json({ releases: (await deps.releases.list(query.app)).map(present) });
    },
  );

  return router;
}
