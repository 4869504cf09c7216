import type { Worker } from 'bullmq';
import type { Escalator } from '../src/alerts/escalation';
import { QUEUES, type EscalateJob } from '../src/queue/names';
import { createProcessor, type ProcessorDeps } from '../src/queue/processor';

/** The `escalate` queue's processor: a delayed escalation fires (src/alerts/escalation.ts). */
export function createEscalateWorker(deps: ProcessorDeps & { escalator: Escalator }): Worker<EscalateJob> {
  return createProcessor(QUEUES.escalate, (job) => deps.escalator.fire(job.data), deps);
}
