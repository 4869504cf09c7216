import { Router } from 'express';
import { z } from 'zod';
import type { AppService } from '../../apps/service';
import type { Clock } from '../../clock';
import type { CounterSource } from '../../counters/ports';
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

const point = (at: number, c: Counts) => ({
  at: iso(at),
  attempts: c.attempts,
  failures: c.failures,
  errorRate: c.attempts > 0 ? c.failures / c.attempts : 0,
  users: c.users,
});

/**
 * Per-value series of one dimension, zero-filled over every bucket. Error codes exist only for failures, so their
 * points carry `failures` alone.
 */
function groupsOf(buckets: Bucket[], dimension: (typeof DIMENSIONS)[number]) {
  if (dimension === 'errorCode') {
    const codes = new Set(buckets.flatMap((b) => Object.keys(b.errorCodes)));
    return Object.fromEntries(
      [...codes].map((code) => [code, buckets.map((b) => ({ at: iso(b.at), failures: b.errorCodes[code] ?? 0 }))]),
    );
  }
  const values = new Set(buckets.flatMap((b) => Object.keys(b.slices[dimension])));
  const zero: Counts = { attempts: 0, failures: 0, users: 0, failedUsers: 0 };
  return Object.fromEntries(
    [...values].map((value) => [value, buckets.map((b) => point(b.at, b.slices[dimension][value] ?? zero))]),
  );
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
