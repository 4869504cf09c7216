import { Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../../clock';
import { PLATFORMS, type Release } from '../../domain/types';
import { badRequest } from '../../errors';
import type { ReleaseStore } from '../../store/ports';
import type { AppService } from '../../apps/service';
import { jsonBody } from '../app';
import { limitPerIngestKey, principalOf, type Auth } from '../auth';
import type { RateLimit } from '../rate-limit';
import { iso } from '../present';
import { Id, Time } from '../schemas';
import { parse } from '../validate';

const CreateRelease = z.strictObject({
  appVersion: z.string().trim().min(1).max(64),
  platform: z.enum(PLATFORMS).optional(),
  releasedAt: Time.optional(),
  rolloutPercent: z.number().min(0).max(100).optional(),
  notes: z.string().max(2000).optional(),
  /** Operators name the app; an ingest key implies it. */
  app: Id.optional(),
});

const present = (r: Release) => ({ ...r, releasedAt: iso(r.releasedAt), createdAt: iso(r.createdAt) });

export function releasesRouter(deps: { auth: Auth; releases: ReleaseStore; apps: AppService; clock: Clock; limit: RateLimit }): Router {
  const router = Router();

  router.post('/v1/releases', deps.auth.adminOrIngest, limitPerIngestKey(deps.limit), ...jsonBody, async (req, res) => {
    const body = parse(CreateRelease, req.body, 'body');
    const principal = principalOf(res);
    let app: string;
    if (principal.kind === 'ingest') {
      if (body.app !== undefined && body.app !== principal.app.id) throw badRequest('app: an ingest key can only register releases of its own app', [{ field: 'app', message: 'not this key’s app' }]);
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
  });

  router.get('/v1/releases', deps.auth.admin, async (req, res) => {
    const { app } = parse(z.object({ app: Id.optional() }), req.query, 'query');
    res.json({ releases: (await deps.releases.list(app)).map(present) });
  });

  return router;
}
