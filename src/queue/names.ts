import type { CounterDelta } from '../counters/ports';

/** Every queue Vigil uses. Keys in Redis are `${REDIS_PREFIX}:${queue}:…` (BullMQ's `prefix` option). */
export const QUEUES = {
  ingest: 'ingest',
  detect: 'detect',
  notify: 'notify',
  escalate: 'escalate',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Job payloads by job name. Secrets never travel in job data: jobs carry ids, workers look the rest up. */
export interface JobPayloads {
  'ingest-batch': IngestBatchJob;
  'detect-app': DetectAppJob;
  deliver: DeliverJob;
  escalate: EscalateJob;
}
export type JobName = keyof JobPayloads;

/**
 * Which queue carries each job: `enqueue` (queues.ts) reads it, so the compiler refuses a job name without a queue,
 * and a worker's processor receives exactly the payloads of its queue's jobs (`QueueData`).
 */
export const JOB_QUEUE = {
  'ingest-batch': QUEUES.ingest,
  'detect-app': QUEUES.detect,
  deliver: QUEUES.notify,
  escalate: QUEUES.escalate,
} as const satisfies Record<JobName, QueueName>;

/** The names of the jobs a queue carries. */
export type JobsOf<Q extends QueueName> = { [N in JobName]: (typeof JOB_QUEUE)[N] extends Q ? N : never }[JobName];
/** The payload of any job a queue carries. */
export type QueueData<Q extends QueueName> = JobPayloads[JobsOf<Q>];

/** A validated batch, already folded by the API into its counter increments (not the raw events). */
export interface IngestBatchJob {
  app: string;
  receivedAt: number;
  delta: CounterDelta;
}

export interface DetectAppJob {
  app: string;
}

export const NOTIFY_EVENTS = ['incident.opened', 'incident.escalated', 'incident.acknowledged', 'incident.resolved'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export interface DeliverJob {
  incidentId: string;
  channelId: string;
  event: NotifyEvent;
  /** Same on every retry of this logical notification. */
  dedupKey: string;
  /** Which opening of the incident (1, then +1 per reopen): orders notifications of one channel (alerts/order.ts). */
  occurrence: number;
  /** When the triggering event happened, to measure delivery latency. */
  occurredAt: number;
  /** Escalation level for incident.escalated (1, 2, …). */
  level?: number;
}

export interface EscalateJob {
  incidentId: string;
  channelId: string;
  /** Which opening of the incident this escalation belongs to (1, then +1 per reopen): a stale one does nothing. */
  occurrence: number;
  level: number;
}
