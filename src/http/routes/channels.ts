import { Router } from 'express';
import { z } from 'zod';
import { redactUrl } from '../../alerts/notification';
import { urlProblem } from '../../alerts/targets';
import type { AppService } from '../../apps/service';
import type { Clock } from '../../clock';
import { CHANNEL_TYPES, SEVERITIES, type Channel } from '../../domain/types';
import { notFound } from '../../errors';
import type { ChannelStore } from '../../store/ports';
import { jsonBody } from '../app';
import type { Auth } from '../auth';
import { iso } from '../present';
import { Id } from '../schemas';
import { parse } from '../validate';

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

/**
 * Secrets are write-only: the API says whether one is set, never what it is. A Slack incoming-webhook URL is itself
 * the credential, so it is shown redacted like a secret.
 */
const present = (c: Channel) => ({
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

export function channelsRouter(deps: {
  auth: Auth;
  channels: ChannelStore;
  apps: AppService;
  clock: Clock;
  /** Config.alertAllowPrivateTargets. */
  allowPrivateTargets: boolean;
}): Router {
  const router = Router();
  const CreateChannel = createChannelSchema(deps.allowPrivateTargets);
  router.use('/v1/channels', deps.auth.admin, ...jsonBody);

  router.post('/v1/channels', async (req, res) => {
    const body = parse(CreateChannel, req.body, 'body');
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
  });

  router.get('/v1/channels', async (_req, res) => {
    res.json({ channels: (await deps.channels.list()).map(present) });
  });

  router.get('/v1/channels/:id', async (req, res) => {
    const id = parse(Id, req.params.id, 'params');
    const channel = await deps.channels.get(id);
    if (!channel) throw notFound(`Channel ${id}`);
    res.json(present(channel));
  });

  router.delete('/v1/channels/:id', async (req, res) => {
    const id = parse(Id, req.params.id, 'params');
    if (!(await deps.channels.delete(id))) throw notFound(`Channel ${id}`);
    res.status(204).end();
  });

  return router;
}
