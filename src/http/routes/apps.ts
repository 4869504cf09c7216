import { Router } from 'express';
import { z } from 'zod';
import type { AppService } from '../../apps/service';
import type { App } from '../../domain/types';
import { jsonBody } from '../app';
import type { Auth } from '../auth';
import { iso } from '../present';
import { Name } from '../../validation';
import { Id } from '../schemas';
import { parse } from '../validate';

const present = (app: App) => ({ id: app.id, name: app.name, createdAt: iso(app.createdAt) });

const CreateApp = z.strictObject({ name: Name });
const KeyParams = z.object({ id: Id, keyPrefix: z.string().min(4).max(64) });

export function appsRouter(deps: { auth: Auth; apps: AppService }): Router {
  const router = Router();
  router.use('/v1/apps', deps.auth.admin, ...jsonBody);

  router.post('/v1/apps', async (req, res) => {
    const { name } = parse(CreateApp, req.body, 'body');
    const app = await deps.apps.create(name);
    res.status(201).json({ ...present(app), ingestKey: app.ingestKey, keyPrefix: app.keyPrefix });
  });

  router.get('/v1/apps', async (_req, res) => {
    res.json({ apps: (await deps.apps.list()).map(present) });
  });

  router.get('/v1/apps/:id', async (req, res) => {
    res.json(present(await deps.apps.get(parse(Id, req.params.id, 'params'))));
  });

  router.post('/v1/apps/:id/keys', async (req, res) => {
    res.status(201).json(await deps.apps.rotateKey(parse(Id, req.params.id, 'params')));
  });

  router.delete('/v1/apps/:id/keys/:keyPrefix', async (req, res) => {
    const { id, keyPrefix } = parse(KeyParams, req.params, 'params');
    await deps.apps.revokeKey(id, keyPrefix);
    res.status(204).end();
  });

  return router;
}
