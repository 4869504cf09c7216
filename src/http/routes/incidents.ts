import { Router } from 'express';
import { z } from 'zod';
import { INCIDENT_STATUSES, SEVERITIES } from '../../domain/types';
import type { IncidentService } from '../../incidents/service';
import type { Auth } from '../auth';
import { IncidentOut, presentIncident } from '../../incidents/present';
import { routesOn } from '../route';
import { Actor, Id, Time } from '../schemas';

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

const IncidentParams = z.object({ id: Id });
const IncidentList = z.object({ incidents: z.array(IncidentOut), nextCursor: z.string().optional().describe('Pass as cursor for the next page') });

/**
 * Operator routes of incidents, admin token on each route: the signed acknowledge link (GET /v1/incidents/:id/ack?token=)
 * is mounted before this router and must work without it.
 */
export function incidentsRouter(deps: { auth: Auth; incidents: IncidentService }): Router {
  const router = Router();
  const route = routesOn(router, deps.auth);
  const tag = 'Incidents';
  const one = (description: string) => ({ 200: { description, schema: IncidentOut }, 409: { description: 'Not a legal transition from the incident’s status' } });

  route(
    {
      method: 'get',
      path: '/v1/incidents',
      tag,
      summary: 'List incidents, newest first',
      access: 'admin',
      query: ListQuery,
      responses: { 200: { description: 'A page of incidents', schema: IncidentList } },
    },
    async ({ query }, _req, res) => {
      const page = await deps.incidents.list(query);
      res.json({
        incidents: page.incidents.map(presentIncident),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      } satisfies z.input<typeof IncidentList>);
    },
  );

  route(
    { method: 'get', path: '/v1/incidents/:id', tag, summary: 'One incident', access: 'admin', params: IncidentParams, responses: { 200: { description: 'The incident', schema: IncidentOut } } },
    async ({ params }, _req, res) => {
      res.json(presentIncident(await deps.incidents.get(params.id)));
    },
  );

  route(
    { method: 'post', path: '/v1/incidents/:id/ack', tag, summary: 'Acknowledge: escalations stop (a page’s acknowledge link posts here as a form with its token instead)', access: 'admin', params: IncidentParams, body: Ack, responses: one('The acknowledged incident') },
    async ({ params, body }, _req, res) => {
      res.json(presentIncident(await deps.incidents.acknowledge(params.id, body.by)));
    },
  );

  route(
    { method: 'post', path: '/v1/incidents/:id/resolve', tag, summary: 'Resolve (the postmortem draft follows)', access: 'admin', params: IncidentParams, body: Resolve, responses: one('The resolved incident') },
    async ({ params, body }, _req, res) => {
      res.json(presentIncident(await deps.incidents.resolve(params.id, body.by, body.note)));
    },
  );

  route(
    { method: 'post', path: '/v1/incidents/:id/notes', tag, summary: 'Add a note to the timeline', access: 'admin', params: IncidentParams, body: Note, responses: one('The incident') },
    async ({ params, body }, _req, res) => {
      res.json(presentIncident(await deps.incidents.addNote(params.id, body.by, body.text)));
    },
  );

  route(
    {
      method: 'patch',
      path: '/v1/incidents/:id',
      tag,
      summary: 'Set the banner message users see, or the severity',
      access: 'admin',
      params: IncidentParams,
      body: Patch,
      responses: one('The incident'),
    },
    async ({ params, body }, _req, res) => {
      const { by, ...change } = body;
      res.json(presentIncident(await deps.incidents.patch(params.id, change, by ?? 'operator')));
    },
  );

  return router;
}
