import { Router } from 'express';
import { z } from 'zod';
import type { AppService } from '../../apps/service';
import type { App } from '../../domain/types';
import { Name } from '../../validation';
import type { Auth } from '../auth';
import { iso } from '../../incidents/present';
import { routesOn } from '../route';
import { Id, IsoTime } from '../schemas';

export const AppOut = z.object({ id: z.string(), name: z.string(), createdAt: IsoTime }).meta({ id: 'App' });
const KeyOut = z.object({
  ingestKey: z.string().describe('The new key, shown only in this answer: Vigil keeps its hash'),
  keyPrefix: z.string().describe('Names the key in lists and in DELETE …/keys/:keyPrefix'),
});
const AppCreated = AppOut.extend(KeyOut.shape);

const present = (app: App): z.input<typeof AppOut> => ({ id: app.id, name: app.name, createdAt: iso(app.createdAt) });

const AppParams = z.object({ id: Id });
const KeyParams = z.object({ id: Id, keyPrefix: z.string().min(4).max(64) });

/** Apps and their ingest keys (operator). A key is shown once, when it is made; only its hash is stored. */
export function appsRouter(deps: { auth: Auth; apps: AppService }): Router {
  const router = Router();
  const route = routesOn(router, deps.auth);
  const tag = 'Apps';

  route(
    {
      method: 'post',
      path: '/v1/apps',
      tag,
      summary: 'Create an app and its first ingest key',
      access: 'admin',
      body: z.strictObject({ name: Name }),
      responses: { 201: { description: 'The app, with its ingest key (shown only here)', schema: AppCreated }, 409: { description: 'The name is taken' } },
    },
    async ({ body }, _req, res) => {
      const app = await deps.apps.create(body.name);
      res.status(201).json({ ...present(app), ingestKey: app.ingestKey, keyPrefix: app.keyPrefix } satisfies z.input<typeof AppCreated>);
    },
  );

  route(
    {
      method: 'get',
      path: '/v1/apps',
      tag,
      summary: 'List apps',
      access: 'admin',
      responses: { 200: { description: 'Every app', schema: z.object({ apps: z.array(AppOut) }) } },
    },
    async (_input, _req, res) => {
      res.json({ apps: (await deps.apps.list()).map(present) });
    },
  );

  route(
    { method: 'get', path: '/v1/apps/:id', tag, summary: 'One app', access: 'admin', params: AppParams, responses: { 200: { description: 'The app', schema: AppOut } } },
    async ({ params }, _req, res) => {
      res.json(present(await deps.apps.get(params.id)));
    },
  );

  route(
    {
      method: 'post',
      path: '/v1/apps/:id/keys',
      tag,
      summary: 'Add an ingest key (rotation: ship it, then revoke the old one)',
      access: 'admin',
      params: AppParams,
      responses: { 201: { description: 'The new key, shown only here', schema: KeyOut } },
    },
    async ({ params }, _req, res) => {
      res.status(201).json((await deps.apps.rotateKey(params.id)) satisfies z.input<typeof KeyOut>);
    },
  );

  route(
    {
      method: 'delete',
      path: '/v1/apps/:id/keys/:keyPrefix',
      tag,
      summary: 'Revoke an ingest key',
      access: 'admin',
      params: KeyParams,
      responses: { 204: { description: 'Revoked: the key stops working at once in this process, within 10 s in others' } },
    },
    async ({ params }, _req, res) => {
      await deps.apps.revokeKey(params.id, params.keyPrefix);
      res.status(204).end();
    },
  );

  return router;
}
