import type { Queue } from 'bullmq';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { masters, type RedisClient } from '../queue/connection';
import type { Clock } from '../clock';
import { unavailable } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { sendError } from './errors';

/**
 * Admission control for POST /v1/events: past a mark, answer 503 + Retry-After before the body is read, parsed or
 * validated, so an overloaded deployment spends almost nothing on the requests it cannot take (the SDK retries them
 * with the same Idempotency-Key). The API keeps its memory and latency bounded; Redis keeps room for the queue.
 */
export interface ShedMarks {
  /** Requests being served at once by this process (body reading included); 0: no cap. */
  maxInFlight: number;
  /** Waiting jobs in the ingest queue, over every API and worker; 0: no mark. */
  backlog: number;
  /** Redis used_memory as a percentage of maxmemory (the fullest master of a cluster); 0: no mark. */
  redisMemoryPercent: number;
}

/** What was last read from Redis: the load of the whole deployment, shared by every request until the next sample. */
export interface LoadSample {
  backlog: number;
  /** null: RedisClient has no maxmemory, so there is no percentage to compare. */
  redisMemoryPercent: number | null;
}

export type ShedReason = 'in_flight' | 'backlog' | 'redis_memory';

/** Reading the backlog and Redis memory takes two round trips: done at most this often, never per request. */
export const SAMPLE_EVERY_MS = 250;

/** The first mark passed, or null to admit. Pure: the numbers in, the decision out. */
export function shedReason(inFlight: number, sample: LoadSample, marks: ShedMarks): ShedReason | null {
  if (marks.maxInFlight > 0 && inFlight >= marks.maxInFlight) return 'in_flight';
  if (marks.backlog > 0 && sample.backlog >= marks.backlog) return 'backlog';
  if (marks.redisMemoryPercent > 0 && sample.redisMemoryPercent !== null && sample.redisMemoryPercent >= marks.redisMemoryPercent) {
    return 'redis_memory';
  }
  return null;
}

/** Seconds a shed client should wait: a full process frees up in moments; a backlog or full Redis takes a worker's while. */
const RETRY_AFTER_SECONDS: Record<ShedReason, number> = { in_flight: 1, backlog: 5, redis_memory: 5 };

const MESSAGES: Record<ShedReason, string> = {
  in_flight: 'This API process is serving as many requests as it may: retry after Retry-After',
  backlog: 'The ingest queue is backed up: retry after Retry-After',
  redis_memory: 'Redis is nearly full: retry after Retry-After',
};

/** used_memory / maxmemory from INFO memory, in percent; null without a maxmemory. */
export function memoryPercent(info: string): number | null {
  const read = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  const used = read('used_memory');
  const max = read('maxmemory');
  return Number.isFinite(used) && max > 0 ? (used / max) * 100 : null;
}

export interface ShedDeps {
  marks: ShedMarks;
  /** The ingest queue, on the fail-fast producer connection. */
  queue: Pick<Queue, 'getWaitingCount'>;
  /** The producer connection (command timeouts: a frozen Redis cannot stall the sampling). */
  redis: RedisClient;
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
}

/** The admission middleware: mount it in front of everything else on POST /v1/events. */
export function createShed(deps: ShedDeps): RequestHandler {
  const { marks, clock, metrics } = deps;
  let inFlight = 0;
  let sample: LoadSample = { backlog: 0, redisMemoryPercent: null };
  let sampledAt = -Infinity;
  let sampling = false;
  let shedding: ShedReason | null = null;

  const refresh = async () => {
    sampling = true;
    try {
      const [backlog, infos] = await Promise.all([
        marks.backlog > 0 ? deps.queue.getWaitingCount() : 0,
        marks.redisMemoryPercent > 0 ? Promise.all(masters(deps.redis).map((m) => m.info('memory'))) : [],
      ]);
      // A cluster is as full as its fullest master: that is where the next write fails.
      const percents = infos.map(memoryPercent).filter((p): p is number => p !== null);
      sample = { backlog, redisMemoryPercent: percents.length > 0 ? Math.max(...percents) : null };
    } catch (err) {
      // Redis away: keep the last sample; the request itself answers 503 when it reaches Redis.
      deps.logger.debug({ err }, 'ingest admission could not sample Redis');
    } finally {
      sampledAt = clock.now();
      sampling = false;
    }
  };

  return (_req: Request, res: Response, next: NextFunction) => {
    if (!sampling && clock.now() - sampledAt >= SAMPLE_EVERY_MS) void refresh();
    const reason = shedReason(inFlight, sample, marks);
    if (reason !== shedding) {
      // One line when shedding starts, changes cause or stops; the metric counts every request.
      if (reason) deps.logger.warn({ reason, inFlight, ...sample, marks }, 'ingest is shedding load');
      else deps.logger.info('ingest stopped shedding load');
      shedding = reason;
    }
    if (reason) {
      metrics.ingestShed.inc({ reason });
      // Answered here, not thrown to the error handler: a shed request is expected, not a failure to log with a stack.
      sendError(res, unavailable(MESSAGES[reason], RETRY_AFTER_SECONDS[reason]));
      return;
    }
    inFlight += 1;
    metrics.ingestInFlight.set(inFlight);
    res.once('close', () => {
      inFlight -= 1;
      metrics.ingestInFlight.set(inFlight);
    });
    next();
  };
}
