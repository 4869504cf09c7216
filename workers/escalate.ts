import { Worker } from 'bullmq';
import type Redis from 'ioredis';
import type { Escalator } from '../src/alerts/escalation';
import type { Logger } from '../src/logger';
import { QUEUES, type EscalateJob } from '../src/queue/names';

/** The `escalate` queue's processor: a delayed escalation fires (src/alerts/escalation.ts). */
export function createEscalateWorker(deps: { connection: Redis; prefix: string; escalator: Escalator; logger: Logger }): Worker<EscalateJob> {
  const worker = new Worker<EscalateJob>(QUEUES.escalate, (job) => deps.escalator.fire(job.data), {
    connection: deps.connection,
    prefix: deps.prefix,
  });
  worker.on('error', (err) => deps.logger.error({ err, queue: QUEUES.escalate }, 'escalate worker error'));
  return worker;
}
