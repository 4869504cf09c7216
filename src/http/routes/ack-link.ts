import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AckLinks } from '../../alerts/ack-link';
import type { Incident } from '../../domain/types';
import { VigilError } from '../../errors';
import type { IncidentStore } from '../../store/ports';
import { iso } from '../present';
import { Id } from '../schemas';
import { parse } from '../validate';

/** Who the timeline says acknowledged: the link carries no identity, only the right to acknowledge. */
export const ACK_LINK_ACTOR = 'on-call (page link)';

export interface Acknowledger {
  acknowledge(id: string, by: string): Promise<Incident>;
}

type AckResult = 'acknowledged' | 'already_acknowledged' | 'already_resolved';

const MESSAGES: Record<AckResult, string> = {
  acknowledged: 'Acknowledged. Escalations are stopped.',
  already_acknowledged: 'Already acknowledged: nothing more to do.',
  already_resolved: 'Already resolved: nothing more to do.',
};

const TokenQuery = z.object({ token: z.string().max(256).optional() });

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function page(heading: string, detail: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Vigil — ${escapeHtml(heading)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}</style>
</head><body><h1>${escapeHtml(heading)}</h1><p>${escapeHtml(detail)}</p></body></html>`;
}

const wantsHtml = (req: Request) => req.accepts(['json', 'html']) === 'html';

/**
 * GET /v1/incidents/:id/ack?token=… — the acknowledge link in pages. No admin token: the signed, expiring token is the
 * credential, valid for its incident only. Mount BEFORE the incidents router. Using it twice is harmless: the second
 * time answers 200 "already acknowledged" and writes nothing.
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

  router.get('/v1/incidents/:id/ack', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const id = parse(Id, req.params.id, 'params');
    const { token } = parse(TokenQuery, req.query, 'query');
    const check = token === undefined ? 'invalid' : deps.ackLinks.verify(id, token);
    if (check !== 'valid') {
      return refuse(req, res, new VigilError('forbidden', check === 'expired' ? 'This acknowledge link has expired' : 'Invalid acknowledge link for this incident'));
    }
    const incident = await deps.incidents.get(id);
    if (!incident) return refuse(req, res, new VigilError('not_found', `Incident ${id} not found`));

    const { result, current } = await acknowledgeOnce(deps, incident);
    if (wantsHtml(req)) {
      res.type('html').send(page(MESSAGES[result], `${current.title} — status: ${current.status}`));
      return;
    }
    res.json({
      result,
      message: MESSAGES[result],
      incident: { id: current.id, title: current.title, status: current.status, acknowledgedAt: iso(current.acknowledgedAt) },
    });
  });

  return router;
}

async function acknowledgeOnce(
  deps: { incidents: Pick<IncidentStore, 'get'>; acknowledger: Acknowledger },
  incident: Incident,
): Promise<{ result: AckResult; current: Incident }> {
  const settled = (i: Incident) => ({ result: i.status === 'resolved' ? ('already_resolved' as const) : ('already_acknowledged' as const), current: i });
  if (incident.status !== 'open') return settled(incident);
  try {
    return { result: 'acknowledged', current: await deps.acknowledger.acknowledge(incident.id, ACK_LINK_ACTOR) };
  } catch (err) {
    // Someone acknowledged (or it resolved) between our read and the compare-and-set: that is the "already" case.
    if (!(err instanceof VigilError && err.code === 'conflict')) throw err;
    return settled((await deps.incidents.get(incident.id)) ?? incident);
  }
}
