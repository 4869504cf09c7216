import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric Vigil exports, built on a registry that is passed in (tests build their own). Labels are bounded:
 * apps are operator-created, platforms and kinds are enums; no user ids, versions or error codes as labels.
 * Vigil's own metrics are named vigil_*; Node's default process metrics keep their conventional process_* and
 * nodejs_* names, so the standard Node.js dashboards and alerts work unchanged.
 */
export interface QueueDepth {
  queue: string;
  state: string;
  count: number;
}

export function createMetrics(registry: Registry, opts: { defaultMetrics?: boolean } = {}) {
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let queueDepth: (() => Promise<QueueDepth[]>) | undefined;
  return {
    /** Queue depth is read from Redis at scrape time; the entry point says where from once queues exist. */
    watchQueues(source: () => Promise<QueueDepth[]>) {
      queueDepth = source;
    },
    registry,
    httpRequestDuration: new Histogram({
      name: 'vigil_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    ingestEvents: new Counter({
      name: 'vigil_ingest_events_total',
      help: 'Telemetry events received, by result (accepted, rejected)',
      labelNames: ['result'] as const,
      registers,
    }),
    ingestBatches: new Counter({
      name: 'vigil_ingest_batches_total',
      help: 'Telemetry batches by outcome (queued, empty: nothing accepted, duplicate, refused)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    ingestShed: new Counter({
      name: 'vigil_ingest_shed_total',
      help: 'POST /v1/events answered 503 before reading the body, by the mark passed (in_flight, backlog, redis_memory)',
      labelNames: ['reason'] as const,
      registers,
    }),
    ingestInFlight: new Gauge({
      name: 'vigil_ingest_in_flight',
      help: 'POST /v1/events requests this process is serving now (admitted, not yet answered)',
      registers,
    }),
    loginAttempts: new Counter({
      name: 'vigil_login_attempts_total',
      help: 'Login attempts folded into counters, by app and platform',
      labelNames: ['app', 'platform'] as const,
      registers,
    }),
    loginFailures: new Counter({
      name: 'vigil_login_failures_total',
      help: 'Login failures folded into counters, by app and platform',
      labelNames: ['app', 'platform'] as const,
      registers,
    }),
    sliceValuesFolded: new Counter({
      name: 'vigil_slice_values_folded_total',
      help: 'Logins (failures for errorCode) counted under the slice value "other" because their value came after the per-app, per-hour limit of distinct values (MAX_APP_VERSIONS, …)',
      labelNames: ['app', 'dimension'] as const,
      registers,
    }),
    aggregateLag: new Histogram({
      name: 'vigil_aggregate_lag_seconds',
      help: 'Time from a batch being accepted to it being folded into the counters',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    queueJobs: new Gauge({
      name: 'vigil_queue_jobs',
      help: 'Jobs per queue and state (waiting, active, delayed, failed)',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        if (!queueDepth) return;
        try {
          for (const d of await queueDepth()) this.set({ queue: d.queue, state: d.state }, d.count);
        } catch {
          // A Redis outage must not fail the whole scrape; /readyz reports it.
        }
      },
    }),
    jobs: new Counter({
      name: 'vigil_jobs_total',
      help: 'BullMQ jobs processed, by queue and outcome (completed, retried: an attempt failed and another follows, failed: for good)',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    }),
    jobDuration: new Histogram({
      name: 'vigil_job_duration_seconds',
      help: 'Time a worker spent processing one job attempt, by queue',
      labelNames: ['queue'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
    openIncidents: new Gauge({
      name: 'vigil_open_incidents',
      help: 'Incidents not yet resolved, by app and kind',
      labelNames: ['app', 'kind'] as const,
      registers,
    }),
    detectorRunDuration: new Histogram({
      name: 'vigil_detector_run_duration_seconds',
      help: 'Duration of one detector evaluation of one app, reads included',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    detectorEvaluations: new Counter({
      name: 'vigil_detector_evaluations_total',
      help: 'Detector evaluations, by outcome (ok, error, busy: skipped while another run of the app held its lock, postponed: skipped while ingest lagged)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    detectorLastSuccess: new Gauge({
      name: 'vigil_detector_last_success_timestamp_seconds',
      help: 'When this process last finished a detector evaluation without error (0: not yet since it started)',
      registers,
    }),
    notifications: new Counter({
      name: 'vigil_notifications_total',
      help: 'Notification delivery attempts by channel type and result (sent, retry, failed, silenced, stale)',
      labelNames: ['channel_type', 'result'] as const,
      registers,
    }),
    notificationLatency: new Histogram({
      name: 'vigil_notification_delivery_seconds',
      help: 'Time from the incident event to the channel accepting the notification',
      labelNames: ['channel_type'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
