import { Router } from 'express';
import { z } from 'zod';
import { appsOverview, type OverviewDeps } from '../../apps/overview';
import { APP_HEALTH } from '../../incidents/public-status';
import type { Auth } from '../auth';
import { iso } from '../../incidents/present';
import { routesOn } from '../route';
import { IsoTime } from '../schemas';

const OverviewOut = z.object({
  at: IsoTime,
  apps: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: z.enum(APP_HEALTH),
      openIncidents: z.number().int(),
      lastHour: z.object({ attempts: z.number(), failures: z.number(), errorRate: z.number() }),
    }),
  ),
  truncated: z.boolean().optional().describe(`More apps than the overview shows`),
});

/**
 * GET /v1/overview: every app's health, unresolved incidents and last hour's failure rate in one call, for the
 * dashboard's first page (one request instead of one per app). It takes no parameters; unknown ones are refused.
 */
export function overviewRouter(deps: OverviewDeps & { auth: Auth }): Router {
  const router = Router();
  const route = routesOn(router, deps.auth);
  route(
    {
      method: 'get',
      path: '/v1/overview',
      tag: 'Apps',
      summary: 'Every app’s health, unresolved incidents and last hour’s failure rate',
      access: 'admin',
      query: z.strictObject({}),
      responses: { 200: { description: 'The overview', schema: OverviewOut } },
    },
    async (_input, _req, res) => {
      const { apps, truncated } = await appsOverview(deps);
      res.json({
        at: iso(deps.clock.now()),
        apps: apps.map((o) => ({ id: o.app.id, name: o.app.name, status: o.status, openIncidents: o.openIncidents, lastHour: o.lastHour })),
        ...(truncated ? { truncated } : {}),
      } satisfies z.input<typeof OverviewOut>);
    },
  );
  return router;
}
