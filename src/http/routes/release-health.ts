import { Router } from 'express';
import { z } from 'zod';
import type { AppService } from '../../apps/service';
import { releaseHealth, type ReleaseHealthDeps } from '../../detection/release-health';
import { PLATFORMS } from '../../domain/types';
import { VigilError } from '../../errors';
import { limitPerIngestKey, principalOf, type Auth } from '../auth';
import { IsoTime, iso } from '../../incidents/present';
import { routesOn } from '../route';
import type { RateLimit } from '../rate-limit';
import { Id } from '../schemas';

/** An app version as the SDK and the release routes spell it. */
const Version = z.string().trim().min(1).max(64);

/** How many versions a baseline may name: a comparison, not a listing. */
export const MAX_BASELINE_VERSIONS = 20;

const Params = z.object({ id: Id, appVersion: Version });

const Query = z.strictObject({
  platform: z.enum(PLATFORMS, { error: `expected one of ${PLATFORMS.join('|')}` }).optional(),
  baseline: z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter((v) => v !== ''))
    .pipe(z.array(Version).min(1, 'name at least one version').max(MAX_BASELINE_VERSIONS, `at most ${MAX_BASELINE_VERSIONS} versions`))
    .optional(),
});

/**
 * GET /v1/apps/:id/releases/:appVersion/health: the release health gate CI/CD asks before widening a staged rollout
 * (`vigil gate`). Operators ask about any app; an app's ingest key (what a mobile pipeline already holds) about its own.
 */
const HealthOut = z
  .object({
    verdict: z.enum(['healthy', 'unhealthy', 'insufficient_data']).describe('`vigil gate` exits 0, 1 and 3 on these'),
    appVersion: z.string(),
    baselineVersions: z.array(z.string()).describe('The versions compared against, busiest first'),
    failureRate: z.number().nullable(),
    baselineFailureRate: z.number().nullable(),
    attempts: z.number().int(),
    users: z.number().int(),
    failures: z.number().int(),
    baselineAttempts: z.number().int(),
    evidence: z.string().describe('One sentence for a CI log'),
    from: IsoTime,
    to: IsoTime,
  })
  .meta({ id: 'ReleaseHealth' });

/**
 * GET /v1/apps/:id/releases/:appVersion/health: the release health gate CI/CD asks before widening a staged rollout
 * (`vigil gate`). Operators ask about any app; an app's ingest key (what a mobile pipeline already holds) about its own.
 */
export function releaseHealthRouter(deps: ReleaseHealthDeps & { auth: Auth; apps: AppService; limit: RateLimit }): Router {
  const router = Router();
  const route = routesOn(router, deps.auth);
  route(
    {
      method: 'get',
      path: '/v1/apps/:id/releases/:appVersion/health',
      tag: 'Releases',
      summary: 'Release health gate: the version against the other versions over the same minutes',
      access: 'adminOrIngest',
      params: Params,
      query: Query,
      responses: { 200: { description: 'The verdict and its evidence', schema: HealthOut } },
    },
    limitPerIngestKey(deps.limit),
    async ({ params, query }, _req, res) => {
      const principal = principalOf(res);
      if (principal.kind === 'ingest' && principal.app.id !== params.id) {
        throw new VigilError('forbidden', 'An ingest key can only read the release health of its own app');
      }
      const app = await deps.apps.get(params.id);
      const health = await releaseHealth(deps, {
        app: app.id,
        appVersion: params.appVersion,
        ...(query.platform ? { platform: query.platform } : {}),
        ...(query.baseline ? { baseline: query.baseline } : {}),
      });
      res.json({
        verdict: health.verdict,
        appVersion: health.appVersion,
        baselineVersions: health.baselineVersions,
        failureRate: health.failureRate,
        baselineFailureRate: health.baselineFailureRate,
        attempts: health.attempts,
        users: health.users,
        evidence: health.evidence,
        failures: health.failures,
        baselineAttempts: health.baselineAttempts,
        from: iso(health.from),
        to: iso(health.to),
      } satisfies z.input<typeof HealthOut>);
    },
  );
  return router;
}
