import { Router } from 'express';
import { z } from 'zod';
import { INCIDENT_STATUSES, SEVERITIES } from '../../domain/types';
import type { IncidentService } from '../../incidents/service';
import { jsonBody } from '../app';
import type { Auth } from '../auth';
import { presentIncident } from '../present';
import { Actor, Id, Time } from '../schemas';
import { parse } from '../validate';

const ListQuery = z.strictObject({
  app: Id.optional(),
  status: z.enum(INCIDENT_STATUSES).optional(),
  since: Time.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});

const Ack = z.strictObject({ by: Actor });
const Resolve = z.strictObject({ by: Actor, note: z.string().trim().min(1).max(2000).optional() });
const Note = z.strictObject({ by: Actor, text: z.string().trim().min(1).max(5000) });
const Patch = z
  .strictObject({
    publicMessage: z.string().trim().min(1).max(500).nullable().optional(),
    severity: z.enum(SEVERITIES).optional(),
    /** Not in CONTRACT.md's body, but the timeline says who changed what; "operator" when absent. */
    by: Actor.optional(),
  })
  .refine((b) => b.publicMessage !== undefined || b.severity !== undefined, 'give publicMessage and/or severity');

/**
 * Operator routes of incidents. The admin guard sits on each route rather than on the /v1/incidents prefix: the
 * signed acknowledge link (GET /v1/incidents/:id/ack?token=) is mounted before this router and must work without it.
 */
export function incidentsRouter(deps: { auth: Auth; incidents: IncidentService }): Router {
  const router = Router();
  const { admin } = deps.auth;
  const id = (params: unknown) => parse(z.object({ id: Id }), params, 'params').id;

  router.get('/v1/incidents', admin, async (req, res) => {
    const query = parse(ListQuery, req.query, 'query');
    const page = await deps.incidents.list(query);
    res.json({
      incidents: page.incidents.map(presentIncident),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    });
  });

  router.get('/v1/incidents/:id', admin, async (req, res) => {
    res.json(presentIncident(await deps.incidents.get(id(req.params))));
  });

  router.post('/v1/incidents/:id/ack', admin, ...jsonBody, async (req, res) => {
    const { by } = parse(Ack, req.body, 'body');
    res.json(presentIncident(await deps.incidents.acknowledge(id(req.params), by)));
  });

  router.post('/v1/incidents/:id/resolve', admin, ...jsonBody, async (req, res) => {
    const { by, note } = parse(Resolve, req.body, 'body');
    res.json(presentIncident(await deps.incidents.resolve(id(req.params), by, note)));
  });

  router.post('/v1/incidents/:id/notes', admin, ...jsonBody, async (req, res) => {
    const { by, text } = parse(Note, req.body, 'body');
    res.json(presentIncident(await deps.incidents.addNote(id(req.params), by, text)));
  });

  router.patch('/v1/incidents/:id', admin, ...jsonBody, async (req, res) => {
    const { by, ...change } = parse(Patch, req.body, 'body');
    res.json(presentIncident(await deps.incidents.patch(id(req.params), change, by ?? 'operator')));
  });

  return router;
}
