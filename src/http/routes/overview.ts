import { Router } from 'express';
import { z } from 'zod';
import { appsOverview, type OverviewDeps } from '../../apps/overview';
import type { Auth } from '../auth';
import { iso } from '../present';
import { parse } from '../validate';

/**
 * GET /v1/overview: every app's health, unresolved incidents and last hour's failure rate in one call, for the
 * dashboard's first page (one request instead of one per app). It takes no parameters; unknown ones are refused.
 */
export function overviewRouter(deps: OverviewDeps & { auth: Auth }): Router {
  const router = Router();
  router.get('/v1/overview', deps.auth.admin, async (req, res) => {
    parse(z.strictObject({}), req.query, 'query');
    const { apps, truncated } = await appsOverview(deps);
    res.json({
      at: iso(deps.clock.now()),
      apps: apps.map((o) => ({
        id: o.app.id,
        name: o.app.name,
        status: o.status,
        openIncidents: o.openIncidents,
        lastHour: o.lastHour,
      })),
      ...(truncated ? { truncated } : {}),
    });
  });
  return router;
}
