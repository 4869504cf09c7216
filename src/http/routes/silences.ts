import { Router } from 'express';
import { z } from 'zod';
import type { AppService } from '../../apps/service';
import type { Clock } from '../../clock';
import { INCIDENT_KINDS, type Silence } from '../../domain/types';
import { badRequest, notFound } from '../../errors';
import type { SilenceStore } from '../../store/ports';
import { jsonBody } from '../app';
import type { Auth } from '../auth';
import { iso } from '../present';
import { Id, Time } from '../schemas';
import { parse } from '../validate';

const CreateSilence = z.strictObject({
  app: Id,
  until: Time,
  reason: z.string().trim().min(1).max(500),
  kind: z.enum(INCIDENT_KINDS).optional(),
});

const ListQuery = z.object({ all: z.enum(['true', 'false']).optional() });

const present = (s: Silence, now: number) => ({
  id: s.id,
  app: s.app,
  kind: s.kind,
  until: iso(s.until),
  reason: s.reason,
  createdAt: iso(s.createdAt),
  active: s.until > now,
});

/** Silences hold notifications back, never incident recording; they end by themselves at `until`. */
export function silencesRouter(deps: { auth: Auth; silences: SilenceStore; apps: AppService; clock: Clock }): Router {
  const router = Router();
  router.use('/v1/silences', deps.auth.admin, ...jsonBody);

  router.post('/v1/silences', async (req, res) => {
    const body = parse(CreateSilence, req.body, 'body');
    const now = deps.clock.now();
    if (body.until <= now) throw badRequest('Invalid body: until: must be in the future', [{ field: 'until', message: 'must be in the future' }]);
    await deps.apps.get(body.app);
    const silence = await deps.silences.create({
      app: body.app,
      kind: body.kind ?? null,
      until: body.until,
      reason: body.reason,
      createdAt: now,
    });
    res.status(201).json(present(silence, now));
  });

  router.get('/v1/silences', async (req, res) => {
    const { all } = parse(ListQuery, req.query, 'query');
    const now = deps.clock.now();
    const silences = (await deps.silences.list()).filter((s) => all === 'true' || s.until > now);
    res.json({ silences: silences.map((s) => present(s, now)) });
  });

  router.delete('/v1/silences/:id', async (req, res) => {
    const id = parse(Id, req.params.id, 'params');
    if (!(await deps.silences.delete(id))) throw notFound(`Silence ${id}`);
    res.status(204).end();
  });

  return router;
}
