import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../queue/connection';
import { sha256 } from '../apps/keys';
import type { Clock } from '../clock';
import { foldBatch } from '../counters/delta';
import type { TelemetryEvent } from '../domain/types';
import { unavailable } from '../errors';
import type { Enqueuer } from '../queue/queues';
import type { RejectedEvent } from './event-schema';

/** An Idempotency-Key is honoured for 24 h (CONTRACT.md). */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export interface IngestOutcome {
  accepted: number;
  rejected: RejectedEvent[];
  /** A replay of an Idempotency-Key already queued: nothing new was queued, the original answer is returned. */
  duplicate: boolean;
}

export interface IngestServiceDeps {
  /** Adds jobs on the fail-fast producer connection. */
  jobs: Enqueuer;
  /** The same producer connection: keeps the original answer of each Idempotency-Key. */
  redis: RedisClient;
  prefix: string;
  clock: Clock;
}

/** Puts a validated batch on the `ingest` queue as its counter delta: one job per batch, counted once per Idempotency-Key. */
export class IngestService {
  constructor(private readonly deps: IngestServiceDeps) {}

  async submit(
    app: string,
    batch: { events: TelemetryEvent[]; rejected: RejectedEvent[] },
    idempotencyKey?: string,
  ): Promise<IngestOutcome> {
    const answer = { accepted: batch.events.length, rejected: batch.rejected };
    if (batch.events.length === 0) return { ...answer, duplicate: false };
    const dedupId = idempotencyKey === undefined ? undefined : `${app}:${sha256(idempotencyKey)}`;
    const answerKey = `${this.deps.prefix}:idem:${dedupId}`;
    // The recorded answer outlives the job and its deduplication key, which an operator's queue.clean() deletes.
    const recorded = dedupId === undefined ? null : await this.guard(() => this.deps.redis.get(answerKey));
    if (recorded !== null) return { ...(JSON.parse(recorded) as typeof answer), duplicate: true };
    const jobId = randomUUID();
    const job = await this.guard(() =>
      this.deps.jobs.enqueue(
        'ingest-batch',
        // Folded here, at the edge: the queue carries the batch's counter increments, a fraction of its bytes.
        { app, receivedAt: this.deps.clock.now(), delta: foldBatch(batch.events) },
        // Throttle mode: the key is set with the job, atomically (concurrent replays, a crash before the answer is
        // recorded), and survives the job's completion and automatic removal.
        { jobId, ...(dedupId ? { deduplication: { id: dedupId, ttl: IDEMPOTENCY_TTL_MS } } : {}) },
      ),
    );
    if (dedupId === undefined) return { ...answer, duplicate: false };
    // BullMQ hands back the job that holds the deduplication key: another id means this batch was queued before.
    if (job.id !== jobId) return { ...(await this.originalAnswer(answerKey, answer)), duplicate: true };
    // Failing here is harmless: the batch is queued, which is all 202 promises, and the deduplication key still
    // holds; a replay then answers from its own validation of the same body.
    await this.deps.redis.set(answerKey, JSON.stringify(answer), 'PX', IDEMPOTENCY_TTL_MS).catch(() => undefined);
    return { ...answer, duplicate: false };
  }

  private async originalAnswer(key: string, fallback: Omit<IngestOutcome, 'duplicate'>) {
    const stored = await this.guard(() => this.deps.redis.get(key));
    // Missing only if the original request died between queueing and recording: the same body gives the same answer.
    return stored === null ? fallback : (JSON.parse(stored) as Omit<IngestOutcome, 'duplicate'>);
  }

  /** Any Redis failure here means "not durably queued": 503 with Retry-After, never a 500 or a silent drop. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // The central error handler logs 5xx with their cause.
      throw Object.assign(unavailable('Redis is unreachable: telemetry cannot be accepted now', 2), { cause: err });
    }
  }
}
