import type { Clock } from '../clock';
import { foldBatch } from '../counters/delta';
import type { BatchDelta, CounterWriter } from '../counters/ports';
import type { Metrics } from '../metrics';
import type { IngestBatchJob } from '../queue/names';
import { checkJob } from './job-guard';

export interface AggregatorDeps {
  counters: CounterWriter;
  clock: Clock;
  metrics: Metrics;
}

/**
 * The aggregation worker's processor: checks one `ingest-batch` job, pre-aggregates its events in memory (so Redis
 * sees one increment per bucket and field instead of one per event) and hands the delta to the counters, which apply
 * it exactly once per job id.
 */
export class Aggregator {
  constructor(private readonly deps: AggregatorDeps) {}

  /** Folds one job; `false` when this job id was already folded (a redelivery). */
  async process(jobId: string, data: unknown): Promise<boolean> {
    const job = checkJob(data);
    if (job.events.length === 0) return false;
    const delta = foldBatch(job.events);
    const applied = await this.deps.counters.apply(jobId, job.app, delta);
    if (applied) this.record(job, delta);
    return applied;
  }

  private record(job: IngestBatchJob, delta: BatchDelta): void {
    const { metrics, clock } = this.deps;
    for (const [platform, counts] of delta.byPlatform) {
      metrics.loginAttempts.inc({ app: job.app, platform }, counts.attempts);
      metrics.loginFailures.inc({ app: job.app, platform }, counts.failures);
    }
    metrics.aggregateLag.observe(Math.max(0, clock.now() - job.receivedAt) / 1000);
  }
}
