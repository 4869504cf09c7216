import { DelayedError, UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { Deliverer } from '../src/alerts/deliver';
import type { DeliveryOutcome } from '../src/alerts/outcome';
import { QUEUES, type DeliverJob } from '../src/queue/names';
import { createProcessor, type ProcessorDeps, type ProcessorTuning } from '../src/queue/processor';

export interface NotifyWorkerDeps extends ProcessorDeps {
  deliverer: Deliverer;
  /** Lock and stall settings; tests shorten them to recover a killed worker's job quickly. */
  tuning?: ProcessorTuning;
}

/**
 * A delivery outcome in BullMQ's terms (alertmanager's retry stage): a value completes the job; a wait the receiver
 * asked for moves it to delayed without using up an attempt; a plain error takes the queue's backoff; an
 * UnrecoverableError fails it for good.
 */
export async function settleDelivery(job: Job<DeliverJob>, token: string | undefined, outcome: DeliveryOutcome): Promise<string> {
  switch (outcome.kind) {
    case 'sent':
      return 'sent';
    case 'skip':
      return outcome.reason;
    case 'retry':
      if (outcome.afterMs !== undefined && token !== undefined) {
        // BullMQ schedules delayed jobs on the wall clock, whatever clock the service runs on.
        await job.moveToDelayed(Date.now() + outcome.afterMs, token);
        throw new DelayedError(`retry in ${outcome.afterMs} ms: ${outcome.reason}`);
      }
      throw new Error(outcome.reason);
    case 'giveUp':
    case 'refuse':
      throw new UnrecoverableError(outcome.reason);
  }
}

/** The `notify` queue's processor: one channel delivery per job (src/alerts/deliver.ts). */
export function createNotifyWorker(deps: NotifyWorkerDeps): Worker<DeliverJob> {
  return createProcessor(
    QUEUES.notify,
    async (job, token) => {
      const attempt = { attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1, starts: job.attemptsStarted };
      return settleDelivery(job, token, await deps.deliverer.deliver({ job: job.data, ...attempt }));
    },
    deps,
    // Deliveries wait on other people's servers, not on CPU.
    { concurrency: 8, ...deps.tuning },
  );
}
