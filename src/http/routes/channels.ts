import { Router } from 'express';
import { z } from 'zod';
import { redactUrl } from '../../alerts/notification';
import { urlProblem } from '../../alerts/targets';
import type { AppService } from '../../apps/service';
import type { Clock } from '../../clock';
import { CHANNEL_TYPES, SEVERITIES, type Channel } from '../../domain/types';
import { notFound } from '../../errors';
import type { ChannelStore } from '../../store/ports';
import type { Auth } from '../auth';
import { iso } from '../../incidents/present';
import { routesOn } from '../route';
import { Id, IsoTime } from '../schemas';

/** PagerDuty Events API v2 integration (routing) keys are 32 characters; anything else is a paste gone wrong. */
const PAGERDUTY_ROUTING_KEY = /^[A-Za-z0-9]{32}$/;

/** The URL rule depends on ALERT_ALLOW_PRIVATE_TARGETS; send time checks it again, after DNS (alerts/post.ts). */
function createChannelSchema(allowPrivateTargets: boolean) {
  return z
    .strictObject({
      type: z.enum(CHANNEL_TYPES),
      url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048),
      secret: z.string().min(8).max(512).optional(),
      routingKey: z.string().regex(PAGERDUTY_ROUTING_KEY, 'must be a 32-character PagerDuty integration key').optional(),
      apps: z.array(Id).min(1).max(100).optional(),
      minSeverity: z.enum(SEVERITIES).optional(),
      escalateAfterMinutes: z.number().positive().max(7 * 24 * 60).optional(),
    })
    .superRefine((c, ctx) => {
      const problem = urlProblem(c.url, allowPrivateTargets);
      if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
      if (c.type === 'pagerduty' && c.routingKey === undefined) {
        ctx.addIssue({ code: 'custom', path: ['routingKey'], message: 'required for pagerduty channels' });
      }
      if (c.type !== 'pagerduty' && c.routingKey !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['routingKey'], message: 'only pagerduty channels take a routing key' });
      }
      if (c.type !== 'webhook' && c.secret !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['secret'], message: 'only webhook channels are signed with a secret' });
      }
    });
}

export const ChannelOut = z
  .object({
    id: z.string(),
    type: z.enum(CHANNEL_TYPES),
    url: z.string().describe('Slack incoming-webhook URLs are credentials themselves: shown redacted'),
    hasSecret: z.boolean(),
    hasRoutingKey: z.boolean(),
    apps: z.array(z.string()).nullable().describe('null: every app'),
    minSeverity: z.enum(SEVERITIES),
    escalateAfterMinutes: z.number().nullable(),
    createdAt: IsoTime,
  })
  .meta({ id: 'Channel' });

/**
 * Secrets are write-only: the API says whether one is set, never what it is. A Slack incoming-webhook URL is itself
 * the credential, so it is shown redacted like a secret.
 */
const present = (c: Channel): z.input<typeof ChannelOut> => ({
  id: c.id,
  type: c.type,
  url: c.type === 'slack' ? redactUrl(c.url) : c.url,
  hasSecret: c.secret !== null,
  hasRoutingKey: c.routingKey !== null,
  apps: c.apps,
  minSeverity: c.minSeverity,
  escalateAfterMinutes: c.escalateAfterMinutes,
  createdAt: iso(c.createdAt),
});

const ChannelParams = z.object({ id: Id });

/** Where pages go (operator). */
export function channelsRouter(deps: {
  auth: Auth;
  channels: ChannelStore;
  apps: AppService;
  clock: Clock;
  /** Config.alertAllowPrivateTargets. */
  allowPrivateTargets: boolean;
}): Router {
  const router = Router();
  const route = routesOn(router, deps.auth);
  const tag = 'Alert channels';

  route(
    {
      method: 'post',
      path: '/v1/channels',
      tag,
      summary: 'Add a webhook, Slack or PagerDuty channel',
      access: 'admin',
      body: createChannelSchema(deps.allowPrivateTargets),
      responses: { 201: { description: 'The channel (secrets are write-only)', schema: ChannelOut } },
    },
    async ({ body }, _req, res) => {
      const apps = body.apps ? [...new Set(body.apps)] : null;
      // A channel for an app that does not exist would never page: refuse it now (404 names the app).
      for (const app of apps ?? []) await deps.apps.get(app);
      const channel = await deps.channels.create({
        type: body.type,
        url: body.url,
        secret: body.secret ?? null,
        routingKey: body.routingKey ?? null,
        apps,
        minSeverity: body.minSeverity ?? 'minor',
        escalateAfterMinutes: body.escalateAfterMinutes ?? null,
        createdAt: deps.clock.now(),
      });
      res.status(201).json(present(channel));
    },
  );

  route(
    {
      method: 'get',
      path: '/v1/channels',
      tag,
      summary: 'List channels',
      access: 'admin',
      responses: { 200: { description: 'Channels', schema: z.object({ channels: z.array(ChannelOut) }) } },
    },
    async (_input, _req, res) => {
      res.json({ channels: (await deps.channels.list()).map(present) });
    },
  );

  route(
    { method: 'get', path: '/v1/channels/:id', tag, summary: 'One channel', access: 'admin', params: ChannelParams, responses: { 200: { description: 'The channel', schema: ChannelOut } } },
    async ({ params }, _req, res) => {
      const channel = await deps.channels.get(params.id);
      if (!channel) throw notFound(`Channel ${params.id}`);
      res.json(present(channel));
    },
  );

  route(
    { method: 'delete', path: '/v1/channels/:id', tag, summary: 'Delete a channel', access: 'admin', params: ChannelParams, responses: { 204: { description: 'Deleted' } } },
    async ({ params }, _req, res) => {
      if (!(await deps.channels.delete(params.id))) throw notFound(`Channel ${params.id}`);
      res.status(204).end();
    },
  );

  return router;
}
