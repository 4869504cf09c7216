import { Router } from 'express';
import { z } from 'zod';
import type { AppService } from '../../apps/service';
import type { Clock } from '../../clock';
import type { CounterSource } from '../../counters/ports';
import { OTHER, addCounts } from '../../counters/fold';
import { DIMENSIONS, type Bucket, type Counts } from '../../domain/types';
import { badRequest } from '../../errors';
import type { Auth } from '../auth';
import { IsoTime, iso } from '../../incidents/present';
import { routesOn } from '../route';
import { Id, Time } from '../schemas';

/** A week of minutes: enough for any chart, small enough to answer in one read. */
export const MAX_SERIES_POINTS = 10_080;

const SeriesQuery = z.strictObject({
  from: Time.optional(),
  to: Time.optional(),
  step: z.coerce
    .number()
    .int()
    .min(60)
    .max(86_400)
    .refine((s) => s % 60 === 0, 'must be a multiple of 60 seconds')
    .default(60),
  groupBy: z.enum(DIMENSIONS, { error: `expected one of ${DIMENSIONS.join('|')}` }).optional(),
});

const ZERO: Counts = Object.freeze({ attempts: 0, failures: 0, users: 0, failedUsers: 0 });

const point = (at: number, c: Counts) => ({
  at: iso(at),
  attempts: c.attempts,
  failures: c.failures,
  errorRate: c.attempts > 0 ? c.failures / c.attempts : 0,
  users: c.users,
});

/**
 * The values a chart shows per dimension: the busiest ones, the rest summed as `other`. Values are bounded per hour
 * when counted, but a week of hours can still hold thousands of them.
 */
export const MAX_SERIES_GROUPS = 20;

/**
 * Per-value series of one dimension, zero-filled over every bucket: the MAX_SERIES_GROUPS values with the most
 * attempts over the range (failures for error codes), the rest added up under `other`. Error codes exist only for
 * failures, so their points carry `failures` alone. Maps, not plain objects: a value may be called `constructor`.
 */
function groupsOf(buckets: Bucket[], dimension: (typeof DIMENSIONS)[number]) {
  const countsOf = (b: Bucket): Record<string, Counts> =>
    dimension === 'errorCode'
      ? Object.fromEntries(Object.entries(b.errorCodes).map(([code, failures]) => [code, { ...ZERO, failures }]))
      : b.slices[dimension];
  const perValue = new Map<string, Counts[]>();
  const weight = new Map<string, number>();
  buckets.forEach((b, i) => {
    for (const [value, c] of Object.entries(countsOf(b))) {
      let series = perValue.get(value);
      if (!series) perValue.set(value, (series = buckets.map(() => ({ ...ZERO }))));
      addCounts(series[i]!, c);
      weight.set(value, (weight.get(value) ?? 0) + (dimension === 'errorCode' ? c.failures : c.attempts));
    }
  });
  const ranked = [...weight.keys()].sort((x, y) => weight.get(y)! - weight.get(x)! || (x < y ? -1 : 1));
  const shown = new Map<string, Counts[]>();
  ranked.forEach((value, rank) => {
    const series = perValue.get(value)!;
    if (rank < MAX_SERIES_GROUPS && value !== OTHER) return shown.set(value, series);
    const other = shown.get(OTHER) ?? buckets.map(() => ({ ...ZERO }));
    series.forEach((c, i) => addCounts(other[i]!, c));
    shown.set(OTHER, other);
  });
  const toPoints = (series: Counts[]) =>
    series.map((c, i) => (dimension === 'errorCode' ? { at: iso(buckets[i]!.at), failures: c.failures } : point(buckets[i]!.at, c)));
  return Object.fromEntries([...shown].map(([value, series]) => [value, toPoints(series)]));
}

const PointOut = z.object({ at: IsoTime, attempts: z.number(), failures: z.number(), errorRate: z.number(), users: z.number() });

const SeriesOut = z
  .object({
    step: z.number().int().describe('Seconds per point'),
    points: z.array(PointOut).describe('The whole app, oldest first, one per step (zero-filled)'),
    groups: z
      .record(z.string(), z.array(z.union([PointOut, z.object({ at: IsoTime, failures: z.number() })])))
      .optional()
      .describe('With groupBy: the same points per value of the dimension (error codes carry failures only)'),
  })
  .meta({ id: 'Series' });

/** GET /v1/apps/:id/series: the login counts the detector sees, for charts and for checking an incident by eye. */
export function seriesRouter(deps: { auth: Auth; apps: AppService; counters: CounterSource; clock: Clock }): Router {
  const router = Router();
  const route = routesOn(router, deps.auth);
  route(
    {
      method: 'get',
      path: '/v1/apps/:id/series',
      tag: 'Telemetry',
      summary: 'Login attempts, failures and users per step, overall and by a dimension',
      access: 'admin',
      params: z.object({ id: Id }),
      query: SeriesQuery,
      responses: { 200: { description: 'The series', schema: SeriesOut } },
    },
    async ({ params, query }, _req, res) => {
      const app = await deps.apps.get(params.id);
      const to = query.to ?? deps.clock.now();
      const from = query.from ?? to - 3_600_000;
      const stepMs = query.step * 1000;
      if (from >= to) throw badRequest('from: must be before to', [{ field: 'from', message: 'must be before to' }]);
      if ((to - from) / stepMs > MAX_SERIES_POINTS) {
        const message = `at most ${MAX_SERIES_POINTS} points: widen step or narrow from/to`;
        throw badRequest(`step: ${message}`, [{ field: 'step', message }]);
      }
      const buckets = await deps.counters.buckets(app.id, from, to, stepMs);
      res.json({
        step: query.step,
        points: buckets.map((b) => point(b.at, b.total)),
        ...(query.groupBy ? { groups: groupsOf(buckets, query.groupBy) } : {}),
      } satisfies z.input<typeof SeriesOut>);
    },
  );
  return router;
}
