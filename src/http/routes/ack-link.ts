import { createHash } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AckLinks } from '../../alerts/ack-link';
import type { Incident } from '../../domain/types';
import { VigilError } from '../../errors';
import type { IncidentStore } from '../../store/ports';
import { IsoTime, iso } from '../../incidents/present';
import { documentRoute } from '../route';
import { Id } from '../schemas';
import { parse } from '../validate';

/** Who the timeline says acknowledged: the link carries no identity, only the right to acknowledge. */
export const ACK_LINK_ACTOR = 'on-call (page link)';

export interface Acknowledger {
  acknowledge(id: string, by: string): Promise<Incident>;
}

type AckResult = 'acknowledged' | 'already_acknowledged' | 'already_resolved';

const MESSAGES: Record<AckResult | 'confirm', string> = {
  confirm: 'Acknowledge this incident? Escalations stop and the channels are told.',
  acknowledged: 'Acknowledged. Escalations are stopped.',
  already_acknowledged: 'Already acknowledged: nothing more to do.',
  already_resolved: 'Already resolved: nothing more to do.',
};

const Token = z.string().max(256);
const TokenQuery = z.object({ token: Token.optional() });
const TokenForm = z.object({ token: Token });

const AckAnswer = z
  .object({
    result: z.enum(['confirm', 'acknowledged', 'already_acknowledged', 'already_resolved']),
    message: z.string(),
    incident: z.object({ id: z.string(), title: z.string(), status: z.string(), acknowledgedAt: IsoTime.nullable() }),
  })
  .meta({ id: 'AckLinkAnswer' });

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1.5rem}';
/**
 * The page's own policy, stricter than the app-wide one: nothing loads, no script runs, the one inline style is
 * allowed by its hash, and the form may only post back here.
 */
const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function page(heading: string, detail: string, form = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Vigil — ${escapeHtml(heading)}</title><style>${STYLE}</style>
</head><body><h1>${escapeHtml(heading)}</h1><p>${escapeHtml(detail)}</p>${form}</body></html>`;
}

/**
 * The one button. The token travels in the POST body, not in a query string, so it reaches no new log line; the
 * relative action resolves to this same path without the query, behind any proxy prefix.
 */
const confirmForm = (token: string) =>
  `<form method="post" action="ack"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit">Acknowledge</button></form>`;

const wantsHtml = (req: Request) => req.accepts(['json', 'html']) === 'html';

/** The link's token is a credential: never cached, never sent on as a Referer, never framed. */
function guardResponse(_req: Request, res: Response, next: NextFunction) {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  next();
}

/** The confirmation form's body: tiny, and only this route parses form encoding. */
const formBody = express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 4 });

/**
 * The acknowledge link in pages, which works without the admin token: the signed, expiring token is the credential,
 * valid for its incident only. Mount BEFORE the incidents router.
 *
 * GET /v1/incidents/:id/ack?token=… only asks: link previews, unfurlers, mail scanners and HEAD-probing link checkers
 * all fetch URLs, and none of them may acknowledge an incident (that stops the escalations). The page's button POSTs
 * the token back as a form to the same path, and only that acknowledges. A JSON POST to that path is the operator
 * API's (admin token), so this router takes form posts only and passes everything else on.
 */
export function ackLinkRouter(deps: {
  ackLinks: Pick<AckLinks, 'verify'>;
  incidents: Pick<IncidentStore, 'get'>;
  acknowledger: Acknowledger;
}): Router {
  const router = Router();

  const refuse = (req: Request, res: Response, error: VigilError) => {
    if (!wantsHtml(req)) throw error;
    res.status(error.status).type('html').send(page('This link does not work', error.message));
  };

  /** The incident the token opens, or a refusal already sent. */
  const authorise = async (req: Request, res: Response, token: string | undefined): Promise<Incident | undefined> => {
    const id = parse(Id, req.params.id, 'params');
    const check = token === undefined ? 'invalid' : deps.ackLinks.verify(id, token);
    if (check !== 'valid') {
      refuse(req, res, new VigilError('forbidden', check === 'expired' ? 'This acknowledge link has expired' : 'Invalid acknowledge link for this incident'));
      return undefined;
    }
    const incident = await deps.incidents.get(id);
    if (!incident) refuse(req, res, new VigilError('not_found', `Incident ${id} not found`));
    return incident ?? undefined;
  };

  const answer = (req: Request, res: Response, result: AckResult | 'confirm', incident: Incident, form = '') => {
    if (wantsHtml(req)) {
      res.type('html').send(page(MESSAGES[result], `${incident.title} — status: ${incident.status}`, form));
      return;
    }
    res.json({
      result,
      message: MESSAGES[result],
      incident: { id: incident.id, title: incident.title, status: incident.status, acknowledgedAt: iso(incident.acknowledgedAt) },
    } satisfies z.input<typeof AckAnswer>);
  };

  router.get('/v1/incidents/:id/ack', guardResponse, async (req, res) => {
    const { token } = parse(TokenQuery, req.query, 'query');
    const incident = await authorise(req, res, token);
    if (!incident || token === undefined) return;
    // The question while there is something to acknowledge; otherwise why there is nothing left to do.
    const state = settledResult(incident) ?? 'confirm';
    answer(req, res, state, incident, state === 'confirm' ? confirmForm(token) : '');
  });

  router.post(
    '/v1/incidents/:id/ack',
    (req, _res, next) => next(req.is('application/x-www-form-urlencoded') ? undefined : 'router'),
    guardResponse,
    formBody,
    async (req: Request, res: Response) => {
      const { token } = parse(TokenForm, req.body ?? {}, 'body');
      const incident = await authorise(req, res, token);
      if (!incident) return;
      const { result, current } = await acknowledgeOnce(deps, incident);
      answer(req, res, result, current);
    },
  );

  documentRoute(router, {
    method: 'get',
    path: '/v1/incidents/:id/ack',
    tag: 'Incidents',
    access: 'public',
    params: z.object({ id: Id }),
    summary: 'The acknowledge link of a page: asks for confirmation (HTML to browsers), acknowledges nothing',
    query: TokenQuery,
    responses: {
      200: { description: 'The question, or why nothing is left to do', schema: AckAnswer, alsoAs: ['text/html'] },
      403: { description: 'Invalid or expired token' },
    },
  });
  // The form POST shares method and path with the operator's acknowledge (incidents router), which documents both.

  return router;
}

/** "Already …" when there is nothing left to acknowledge; null while the incident is open. */
function settledResult(incident: Incident): Exclude<AckResult, 'acknowledged'> | null {
  if (incident.status === 'open') return null;
  return incident.status === 'resolved' ? 'already_resolved' : 'already_acknowledged';
}

/** Using the link twice is harmless: the second time answers "already acknowledged" and writes nothing. */
async function acknowledgeOnce(
  deps: { incidents: Pick<IncidentStore, 'get'>; acknowledger: Acknowledger },
  incident: Incident,
): Promise<{ result: AckResult; current: Incident }> {
  const settled = settledResult(incident);
  if (settled) return { result: settled, current: incident };
  try {
    return { result: 'acknowledged', current: await deps.acknowledger.acknowledge(incident.id, ACK_LINK_ACTOR) };
  } catch (err) {
    // Someone acknowledged (or it resolved) between our read and the compare-and-set: that is the "already" case.
    if (!(err instanceof VigilError && err.code === 'conflict')) throw err;
    const current = (await deps.incidents.get(incident.id)) ?? incident;
    return { result: settledResult(current) ?? 'already_acknowledged', current };
  }
}
