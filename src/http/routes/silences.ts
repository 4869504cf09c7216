import { Router } from 'express';
import { z } from 'zod';
import type { AppService } from '../../apps/service';
import type { Clock } from '../../clock';
import { INCIDENT_KINDS, type Silence } from '../../domain/types';
import { badRequest, notFound } from '../../errors';
import type { SilenceStore } from '../../store/ports';
import type { Auth } from '../auth';
import { iso } from '../../incidents/present';
import { routesOn } from '../route';
import { Id, IsoTime, Time } from '../schemas';

const CreateSilence = z.strictObject({
  app: Id,
  until: Time,
  reason: z.string().trim().min(1).max(500),
  kind: z.enum(INCIDENT_KINDS).optional().describe('Only incidents of this kind; default: both'),
});

export const SilenceOut = z
  .object({
    id: z.string(),
    app: z.string(),
    kind: z.enum(INCIDENT_KINDS).nullable(),
    until: IsoTime,
    reason: z.string(),
    createdAt: IsoTime,
    active: z.boolean(),
  })
  .meta({ id: 'Silence' });

const present = (s: Silence, now: number): z.input<typeof SilenceOut> => ({
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
  const route = routesOn(router, deps.auth);
  const tag = 'Silences';

  route(
    {
      method: 'post',
      path: '/v1/silences',
      tag,
      summary: 'Hold an app’s notifications back until a time',
      access: 'admin',
      body: CreateSilence,
      responses: { 201: { description: 'The silence', schema: SilenceOut } },
    },
    async ({ body }, _req, res) => {
      const now = deps.clock.now();
      if (body.until <= now) throw badRequest('Invalid body: until: must be in the future', [{ field: 'until', message: 'must be in the future' }]);
      await deps.apps.get(body.app);
      const silence = await deps.silences.create({ app: body.app, kind: body.kind ?? null, until: body.until, reason: body.reason, createdAt: now });
      res.status(201).json(present(silence, now));
    },
  );

  route(
    {
      method: 'get',
      path: '/v1/silences',
      tag,
      summary: 'List silences (active ones unless all=true)',
      access: 'admin',
      query: z.strictObject({ all: z.enum(['true', 'false']).optional() }),
      responses: { 200: { description: 'Silences', schema: z.object({ silences: z.array(SilenceOut) }) } },
    },
    async ({ query }, _req, res) => {
      const now = deps.clock.now();
      const silences = (await deps.silences.list()).filter((s) => query.all === 'true' || s.until > now);
      res.json({ silences: silences.map((s) => present(s, now)) });
    },
  );

  route(
    {
      method: 'delete',
      path: '/v1/silences/:id',
      tag,
      summary: 'End a silence',
      access: 'admin',
      params: z.object({ id: Id }),
      responses: { 204: { description: 'Ended' } },
    },
    async ({ params }, _req, res) => {
      if (!(await deps.silences.delete(params.id))) throw notFound(`Silence ${params.id}`);
      res.status(204).end();
    },
  );

  return router;
}
