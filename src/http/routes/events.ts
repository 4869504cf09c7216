import type { Queue } from 'bullmq';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type Redis from 'ioredis';
import { z } from 'zod';
import type { Clock } from '../../clock';
import { VigilError, badRequest } from '../../errors';
import { MAX_EVENTS_PER_BATCH, createEventSchema, validateEvents } from '../../ingest/event-schema';
import { IngestService } from '../../ingest/service';
import type { IngestBatchJob } from '../../queue/names';
import type { Metrics } from '../../metrics';
import { ingestApp, limitPerIngestKey, type Auth } from '../auth';
import { createRateLimit } from '../rate-limit';
import { parse } from '../validate';

/** 1 MiB of DECODED body: body-parser counts the inflated bytes against the limit and stops inflating there. */
export const MAX_BODY_BYTES = 1024 * 1024;

const Envelope = z.object({ events: z.array(z.unknown(), { error: 'expected an array of events' }) });
const IdempotencyKey = z.string().trim().min(1).max(200).optional();

function requireJsonBody(req: Request, _res: Response, next: NextFunction) {
  if (!req.is('application/json')) throw new VigilError('unsupported_media_type', 'Content-Type must be application/json');
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'gzip' && encoding !== 'identity') {
    throw new VigilError('unsupported_media_type', `Content-Encoding ${encoding} is not supported (use gzip or none)`);
  }
  next();
}

const rawBody = express.raw({ type: () => true, limit: MAX_BODY_BYTES, inflate: true });

/** body-parser, with broken gzip reported as a client error rather than a 500. */
function readBody(req: Request, res: Response, next: NextFunction) {
  rawBody(req, res, (err?: unknown) => {
    const e = err as { type?: string; status?: number } | undefined;
    if (e && e.type === undefined && e.status === 400) return next(new VigilError('invalid_json', 'Body is not valid gzip'));
    next(err);
  });
}

function parseJson(body: unknown): unknown {
  try {
    if (!Buffer.isBuffer(body) || body.length === 0) throw new Error('empty body');
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new VigilError('invalid_json', `Body is not valid JSON: ${(err as Error).message}`);
  }
}

export interface EventsRouterDeps {
  auth: Auth;
  /** The `ingest` queue, on the fail-fast producer connection. */
  queue: Queue<IngestBatchJob>;
  /** The producer connection: rate limit counters and the answers of idempotent batches. */
  redis: Redis;
  prefix: string;
  clock: Clock;
  metrics: Metrics;
  /** Requests per second per ingest key. */
  ratePerSecond?: number;
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
  router.post('/v1/events', countRefused, deps.auth.ingest, requireJsonBody, rateLimit, readBody, async (req, res) => {
    const app = ingestApp(res);
    const { events: raw } = parse(Envelope, parseJson(req.body), 'body');
    if (raw.length > MAX_EVENTS_PER_BATCH) {
      throw new VigilError('payload_too_large', `At most ${MAX_EVENTS_PER_BATCH} events per batch (got ${raw.length})`);
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
    res.status(202).json({ accepted: outcome.accepted, rejected: outcome.rejected });
  });

  return router;
}

function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  const result = IdempotencyKey.safeParse(Array.isArray(header) ? header.join(',') : header);
  if (!result.success) throw badRequest('Idempotency-Key: 1-200 characters', [{ field: 'Idempotency-Key', message: '1-200 characters' }]);
  return result.data;
}
