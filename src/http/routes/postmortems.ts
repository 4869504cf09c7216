import { Router } from 'express';
import { z } from 'zod';
import { postmortemMarkdown } from '../../domain/postmortem/markdown';
import { POSTMORTEM_STATUSES, TASK_STATUSES, type Postmortem, type PostmortemFacts } from '../../domain/types';
import type { PostmortemService } from '../../postmortems/service';
import { jsonBody } from '../app';
import type { Auth } from '../auth';
import { iso, presentCause, presentTimeline } from '../present';
import { Actor, Day, Id } from '../schemas';
import { parse } from '../validate';

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

function presentFacts(f: PostmortemFacts) {
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
export function presentPostmortem(pm: Postmortem) {
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
  const { admin } = deps.auth;
  const id = (params: unknown) => parse(z.object({ id: Id }), params, 'params').id;

  router.get('/v1/postmortems', admin, async (req, res) => {
    const filter = parse(ListQuery, req.query, 'query');
    res.json({ postmortems: (await deps.postmortems.list(filter)).map(presentPostmortem) });
  });

  router.get('/v1/incidents/:id/postmortem', admin, async (req, res) => {
    const pm = await deps.postmortems.get(id(req.params));
    res.vary('Accept');
    if (req.accepts(['application/json', 'text/markdown']) === 'text/markdown') {
      res.type('text/markdown; charset=utf-8').send(postmortemMarkdown(pm));
    } else {
      res.json(presentPostmortem(pm));
    }
  });

  router.patch('/v1/incidents/:id/postmortem', admin, ...jsonBody, async (req, res) => {
    const edit = parse(Edit, req.body, 'body');
    res.json(presentPostmortem(await deps.postmortems.edit(id(req.params), edit)));
  });

  router.post('/v1/incidents/:id/postmortem/publish', admin, ...jsonBody, async (req, res) => {
    const { by } = parse(Actorship, req.body, 'body');
    res.json(presentPostmortem(await deps.postmortems.publish(id(req.params), by)));
  });

  router.post('/v1/incidents/:id/postmortem/reopen', admin, ...jsonBody, async (req, res) => {
    const { by } = parse(Actorship, req.body, 'body');
    res.json(presentPostmortem(await deps.postmortems.reopen(id(req.params), by)));
  });

  return router;
}
