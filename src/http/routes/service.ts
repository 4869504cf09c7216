import { Router } from 'express';
import type { RedisClient } from '../../queue/connection';
import type { Metrics } from '../../metrics';
import type { Stores } from '../../store/ports';

/** /healthz: the process answers. /readyz: RedisClient and the store answer too. /metrics: Prometheus text. */
export function serviceRouter(deps: { redis: RedisClient; stores: Stores; metrics: Metrics }): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
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
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', redis, store: `${deps.stores.kind}: ${store}` });
  });

  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  return router;
}
