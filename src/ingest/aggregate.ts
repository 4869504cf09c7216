import type { Clock } from '../clock';
import { platformTotals } from '../counters/delta';
import type { CounterWriter } from '../counters/ports';
import type { Metrics } from '../metrics';
import type { IngestBatchJob } from '../queue/names';
import { checkJob } from './job-guard';

export interface AggregatorDeps {
  counters: CounterWriter;
  clock: Clock;
  metrics: Metrics;
}

/**
 * The aggregation worker's processor: checks one `ingest-batch` job (the delta the API folded from a batch) and hands
 * it to the counters, which apply it exactly once per job id.
 */
export class Aggregator {
  constructor(private readonly deps: AggregatorDeps) {}

  /** Folds one job; `false` when this job id was already folded (a redelivery). */
  async process(jobId: string, data: unknown): Promise<boolean> {
    const job = checkJob(data);
    if (job.delta.minutes.length === 0) return false;
    const applied = await this.deps.counters.apply(jobId, job.app, job.delta);
    if (applied) this.record(job);
    return applied;
  }

  private record(job: IngestBatchJob): void {
    const { metrics, clock } = this.deps;
    for (const { platform, attempts, failures } of platformTotals(job.delta)) {
      metrics.loginAttempts.inc({ app: job.app, platform }, attempts);
      metrics.loginFailures.inc({ app: job.app, platform }, failures);
    }
    metrics.aggregateLag.observe(Math.max(0, clock.now() - job.receivedAt) / 1000);
  }
}
