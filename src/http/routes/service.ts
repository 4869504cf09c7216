import { Router } from 'express';
import { z } from 'zod';
import type { RedisClient } from '../../queue/connection';
import type { Metrics } from '../../metrics';
import type { Stores } from '../../store/ports';
import { routesOn } from '../route';

const Ready = z.object({
  status: z.enum(['ready', 'unavailable']),
  redis: z.string().describe('"ok" or why not'),
  store: z.string().describe('The store kind, then "ok" or why not'),
});

/** /healthz: the process answers. /readyz: Redis and the store answer too. /metrics: Prometheus text. */
export function serviceRouter(deps: { redis: RedisClient; stores: Stores; metrics: Metrics }): Router {
  const router = Router();
  const route = routesOn(router, null);
  const tag = 'Service';

  route(
    {
      method: 'get',
      path: '/healthz',
      tag,
      summary: 'The process is alive',
      access: 'public',
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
    },
    (_input, _req, res) => {
      res.json({ status: 'ok' });
    },
  );

  route(
    {
      method: 'get',
      path: '/readyz',
      tag,
      summary: 'Ready: Redis and the store answer',
      access: 'public',
      responses: { 200: { description: 'Ready', schema: Ready }, 503: { description: 'Not ready, and why', schema: Ready } },
    },
    async (_input, _req, res) => {
      const check = async (fn: () => Promise<unknown>) => {
        try {
          await fn();
          return 'ok';
        } catch (err) {
          return `down: ${(err as Error).message}`;
        }
      };
      const [redis, store] = await Promise.all([check(() => deps.redis.ping()), check(() => deps.stores.ping())]);
      const ready = redis === 'ok' && store === 'ok';
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', redis, store: `${deps.stores.kind}: ${store}` } satisfies z.input<typeof Ready>);
    },
  );

  route(
    {
      method: 'get',
      path: '/metrics',
      tag,
      summary: 'Prometheus metrics of this process',
      access: 'public',
      responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain', schema: z.string() } },
    },
    async (_input, _req, res) => {
      res.setHeader('Content-Type', deps.metrics.registry.contentType);
      res.send(await deps.metrics.registry.metrics());
    },
  );

  return router;
}
