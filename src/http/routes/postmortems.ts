import { Router } from 'express';
import { z } from 'zod';
import { postmortemMarkdown } from '../../domain/postmortem/markdown';
import { POSTMORTEM_STATUSES, TASK_STATUSES, type Postmortem, type PostmortemFacts } from '../../domain/types';
import type { PostmortemService } from '../../postmortems/service';
import type { Auth } from '../auth';
import { CauseOut, IsoTime, TimelineOut, iso, presentCause, presentTimeline } from '../../incidents/present';
import { routesOn } from '../route';
import { Actor, Day, Id } from '../schemas';

/** Room for a long write-up, not for a pasted log dump. */
export const MAX_TEXT = 20_000;

const Text = (max: number) => z.string().trim().min(1).max(max);
const MeasureIn = z.strictObject({ id: Id.optional(), text: Text(2_000) });
const TaskIn = z.strictObject({
  id: Id.optional(),
  title: Text(500),
  owner: Text(100).nullable().optional(),
  status: z.enum(TASK_STATUSES).optional(),
  dueDate: Day.nullable().optional(),
});

const CONTENT_FIELDS = ['title', 'summary', 'rootCause', 'resolution', 'measures', 'tasks', 'status'] as const;

const Edit = z
  .strictObject({
    by: Actor,
    version: z.number().int().positive().optional(),
    status: z.literal('in_review', { error: 'PATCH can only move a postmortem to "in_review"; publish with POST …/postmortem/publish' }).optional(),
    title: Text(200).optional(),
    summary: Text(MAX_TEXT).optional(),
    rootCause: Text(MAX_TEXT).optional(),
    resolution: Text(MAX_TEXT).optional(),
    measures: z
      .strictObject({ immediate: z.array(MeasureIn).max(50).optional(), preventive: z.array(MeasureIn).max(50).optional() })
      .optional(),
    tasks: z.array(TaskIn).max(100).optional(),
  })
  .refine((b) => CONTENT_FIELDS.some((f) => b[f] !== undefined), `give at least one of ${CONTENT_FIELDS.join(', ')}`);

const Actorship = z.strictObject({ by: Actor });
const ListQuery = z.strictObject({ app: Id.optional(), status: z.enum(POSTMORTEM_STATUSES).optional() });

const MeasureOut = z.object({ id: z.string(), kind: z.enum(['immediate', 'preventive']), text: z.string() });

const FactsOut = z
  .object({
    startedAt: IsoTime,
    detectedAt: IsoTime,
    resolvedAt: IsoTime,
    durationMs: z.number(),
    detectionLagMs: z.number(),
    firstPageAt: IsoTime.nullable(),
    acknowledgedAt: IsoTime.nullable(),
    peakErrorRate: z.number(),
    baselineErrorRate: z.number(),
    failedLogins: z.number(),
    affectedUsers: z.number(),
    affectedUserPct: z.number(),
    suspectedCause: CauseOut,
  })
  .describe('What Vigil measured, kept beside the prose so edits can be checked against it');

export const PostmortemOut = z
  .object({
    id: z.string(),
    incidentId: z.string(),
    app: z.string(),
    status: z.enum(POSTMORTEM_STATUSES),
    version: z.number().int().describe('Send it back with an edit: a stale version is a 409'),
    title: z.string(),
    summary: z.string(),
    rootCause: z.string(),
    resolution: z.string(),
    measures: z.object({ immediate: z.array(MeasureOut), preventive: z.array(MeasureOut) }),
    tasks: z.array(
      z.object({ id: z.string(), title: z.string(), owner: z.string().nullable(), status: z.enum(TASK_STATUSES), dueDate: z.string().nullable() }),
    ),
    facts: FactsOut,
    timeline: TimelineOut,
    edits: z.array(z.object({ at: IsoTime, by: z.string(), fields: z.array(z.string()) })),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    publishedAt: IsoTime.nullable(),
  })
  .meta({ id: 'Postmortem' });

function presentFacts(f: PostmortemFacts): z.input<typeof FactsOut> {
  return {
    ...f,
    startedAt: iso(f.startedAt),
    detectedAt: iso(f.detectedAt),
    resolvedAt: iso(f.resolvedAt),
    firstPageAt: iso(f.firstPageAt),
    acknowledgedAt: iso(f.acknowledgedAt),
    suspectedCause: presentCause(f.suspectedCause),
  };
}

/** Content fields at the top level, as PATCH takes them; times as ISO strings. */
export function presentPostmortem(pm: Postmortem): z.input<typeof PostmortemOut> {
  const { facts, timeline, ...prose } = pm.content;
  return {
    id: pm.id,
    incidentId: pm.incidentId,
    app: pm.app,
    status: pm.status,
    version: pm.version,
    ...prose,
    facts: presentFacts(facts),
    timeline: presentTimeline(timeline),
    edits: pm.edits.map((e) => ({ ...e, at: iso(e.at) })),
    createdAt: iso(pm.createdAt),
    updatedAt: iso(pm.updatedAt),
    publishedAt: iso(pm.publishedAt),
  };
}

/**
 * Operator routes of postmortems, admin token on each route (the /v1/incidents prefix is shared with other routers).
 * GET answers Markdown to `Accept: text/markdown`, JSON otherwise.
 */
export function postmortemsRouter(deps: { auth: Auth; postmortems: PostmortemService }): Router {
  const router = Router();
  const route = routesOn(router, deps.auth);
  const tag = 'Postmortems';
  const IncidentParams = z.object({ id: Id });
  const one = (description: string, conflict: string) => ({ 200: { description, schema: PostmortemOut }, 409: { description: conflict } });

  route(
    {
      method: 'get',
      path: '/v1/postmortems',
      tag,
      summary: 'List postmortems, newest first',
      access: 'admin',
      query: ListQuery,
      responses: { 200: { description: 'The postmortems', schema: z.object({ postmortems: z.array(PostmortemOut) }) } },
    },
    async ({ query }, _req, res) => {
      res.json({ postmortems: (await deps.postmortems.list(query)).map(presentPostmortem) });
    },
  );

  route(
    {
      method: 'get',
      path: '/v1/incidents/:id/postmortem',
      tag,
      summary: 'The postmortem of an incident: JSON, or Markdown to Accept: text/markdown',
      access: 'admin',
      params: IncidentParams,
      responses: { 200: { description: 'The postmortem', schema: PostmortemOut, alsoAs: ['text/markdown'] } },
    },
    async ({ params }, req, res) => {
      const pm = await deps.postmortems.get(params.id);
      res.vary('Accept');
      if (req.accepts(['application/json', 'text/markdown']) === 'text/markdown') {
        res.type('text/markdown; charset=utf-8').send(postmortemMarkdown(pm));
      } else {
        res.json(presentPostmortem(pm));
      }
    },
  );

  route(
    {
      method: 'patch',
      path: '/v1/incidents/:id/postmortem',
      tag,
      summary: 'Edit fields, or move the draft to in_review',
      access: 'admin',
      params: IncidentParams,
      body: Edit,
      responses: one('The edited postmortem', 'A stale version, or a published postmortem'),
    },
    async ({ params, body }, _req, res) => {
      res.json(presentPostmortem(await deps.postmortems.edit(params.id, body)));
    },
  );

  const moves = [
    { action: 'publish', summary: 'Publish a postmortem that is in review', done: 'The published postmortem', conflict: 'Not in review' },
    { action: 'reopen', summary: 'Reopen a published postmortem for edits', done: 'The reopened postmortem', conflict: 'Not published' },
  ] as const;
  for (const { action, summary, done, conflict } of moves) {
    route(
      { method: 'post', path: `/v1/incidents/:id/postmortem/${action}`, tag, summary, access: 'admin', params: IncidentParams, body: Actorship, responses: one(done, conflict) },
      async ({ params, body }, _req, res) => {
        res.json(presentPostmortem(await deps.postmortems[action](params.id, body.by)));
      },
    );
  }

  return router;
}
