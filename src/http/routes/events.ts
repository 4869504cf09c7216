import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { RedisClient } from '../../queue/connection';
import { z } from 'zod';
import type { Clock } from '../../clock';
import { badRequest, inputError } from '../../errors';
import { MAX_EVENTS_PER_BATCH, createEventSchema, validateEvents } from '../../ingest/event-schema';
import { IngestService } from '../../ingest/service';
import type { Enqueuer } from '../../queue/queues';
import type { Metrics } from '../../metrics';
import { ingestApp, limitPerIngestKey, type Auth } from '../auth';
import { createRateLimit } from '../rate-limit';
import { readJsonBody } from '../body';
import { documentRoute } from '../route';
import { parse } from '../validate';

/** 1 MiB of DECODED body: body-parser counts the inflated bytes against the limit and stops inflating there. */
export const MAX_BODY_BYTES = 1024 * 1024;

const Envelope = z.object({ events: z.array(z.unknown(), { error: 'expected an array of events' }) });
const IdempotencyKey = z.string().trim().min(1).max(200).optional();
const Accepted = z
  .object({
    accepted: z.number().int().describe('Events queued for counting'),
    rejected: z.array(z.object({ index: z.number().int(), error: z.string() })).describe('Events refused, by index, with the reason'),
  })
  .meta({ id: 'IngestResult' });

export interface EventsRouterDeps {
  auth: Auth;
  /** Adds jobs on the fail-fast producer connection. */
  jobs: Enqueuer;
  /** The producer connection: rate limit counters and the answers of idempotent batches. */
  redis: RedisClient;
  prefix: string;
  clock: Clock;
  metrics: Metrics;
  /** Requests per second per ingest key. */
  ratePerSecond?: number;
  /** Admission control (src/http/shed.ts): answers 503 before anything else when the deployment is overloaded. */
  shed?: RequestHandler;
}

/** POST /v1/events: telemetry from the SDK, answered 202 only once the accepted events are durably queued. */
export function eventsRouter(deps: EventsRouterDeps): Router {
  const schema = createEventSchema(deps.clock);
  const ingest = new IngestService(deps);
  // A guard against runaway client loops, not traffic shaping.
  const rateLimit = limitPerIngestKey(
    createRateLimit(deps.redis, deps.prefix, { name: 'ingest', points: deps.ratePerSecond ?? 2000, windowSeconds: 1, what: 'requests for this ingest key' }),
  );
  const { ingestEvents, ingestBatches } = deps.metrics;
  const router = Router();

  const countRefused = (_req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => {
      if (res.statusCode >= 400) ingestBatches.inc({ outcome: 'refused' });
    });
    next();
  };
  if (deps.shed) router.post('/v1/events', deps.shed);
  router.post('/v1/events', countRefused, deps.auth.ingest, rateLimit, async (req, res) => {
    const app = ingestApp(res);
    const read = await readJsonBody(req, res, { limit: MAX_BODY_BYTES, required: true });
    if ('error' in read) throw read.error;
    const { events: raw } = parse(Envelope, read.body, 'body');
    if (raw.length > MAX_EVENTS_PER_BATCH) {
      throw inputError('payload_too_large', 'events', `At most ${MAX_EVENTS_PER_BATCH} events per batch (got ${raw.length})`);
    }
    const idempotencyKey = parseIdempotencyKey(req.headers['idempotency-key']);
    const batch = validateEvents(schema, raw, deps.clock.now());
    const outcome = await ingest.submit(app.id, batch, idempotencyKey);
    if (outcome.duplicate) {
      ingestBatches.inc({ outcome: 'duplicate' });
    } else {
      ingestBatches.inc({ outcome: outcome.accepted > 0 ? 'queued' : 'empty' });
      ingestEvents.inc({ result: 'accepted' }, outcome.accepted);
      ingestEvents.inc({ result: 'rejected' }, outcome.rejected.length);
    }
    res.status(202).json({ accepted: outcome.accepted, rejected: outcome.rejected } satisfies z.input<typeof Accepted>);
  });
  documentRoute(router, {
    method: 'post',
    path: '/v1/events',
    tag: 'Telemetry',
    summary: 'Send a batch of login telemetry (what the SDK does)',
    access: 'ingest',
    body: z.object({ events: z.array(schema).max(MAX_EVENTS_PER_BATCH) }),
    bodyLimit: MAX_BODY_BYTES,
    headers: {
      'Idempotency-Key': { description: 'The same key on a retried batch: counted once, answered as the first time (24 h)' },
      'Content-Encoding': { description: 'gzip or none; the decoded body is limited to 1 MiB' },
    },
    responses: {
      202: { description: 'Queued: the accepted events will be counted exactly once; each refused event is listed', schema: Accepted },
    },
  });

  return router;
}

function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  const result = IdempotencyKey.safeParse(Array.isArray(header) ? header.join(',') : header);
  if (!result.success) throw badRequest('Idempotency-Key: 1-200 characters', [{ field: 'Idempotency-Key', message: '1-200 characters' }]);
  return result.data;
}
