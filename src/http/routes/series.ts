import { Router } from 'express';
import { z } from 'zod';
import type { AppService } from '../../apps/service';
import type { Clock } from '../../clock';
import type { CounterSource } from '../../counters/ports';
import { OTHER, addCounts } from '../../counters/fold';
import { DIMENSIONS, type Bucket, type Counts } from '../../domain/types';
import { badRequest } from '../../errors';
import type { Auth } from '../auth';
import { iso } from '../present';
import { Id, Time } from '../schemas';
import { parse } from '../validate';

/** A week of minutes: enough for any chart, small enough to answer in one read. */
export const MAX_SERIES_POINTS = 10_080;

const SeriesQuery = z.object({
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

/** GET /v1/apps/:id/series: the login counts the detector sees, for charts and for checking an incident by eye. */
export function seriesRouter(deps: { auth: Auth; apps: AppService; counters: CounterSource; clock: Clock }): Router {
  const router = Router();
  router.get('/v1/apps/:id/series', deps.auth.admin, async (req, res) => {
    const app = await deps.apps.get(parse(Id, req.params.id, 'params'));
    const query = parse(SeriesQuery, req.query, 'query');
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
    });
  });
  return router;
}
