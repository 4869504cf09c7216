import { UnrecoverableError, type Worker } from 'bullmq';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import type { EscalateJob } from '../../src/queue/names';
import { createProcessor } from '../../src/queue/processor';
import { createQueues, type Queues } from '../../src/queue/queues';
import { TEST_REDIS_URL, deletePrefix, testPrefix } from '../support/redis';
import { eventually } from '../support/service';

/** Every queue's worker is built by createProcessor; the escalate queue stands in for all four here. */
describe('the worker factory', () => {
  const prefix = testPrefix('queue-processor');
  const producer = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const logger = createLogger('silent');
  const metrics = createMetrics(new Registry(), { defaultMetrics: false });
  let queues: Queues;
  let worker: Worker<EscalateJob>;
  const attempts = new Map<number, number>();

  beforeAll(() => {
    queues = createQueues(producer, prefix, logger);
    // level 1 succeeds; level 2 fails once, then succeeds; level 3 can never succeed.
    worker = createProcessor(
      'escalate',
      async (job) => {
        const tries = (attempts.get(job.data.level) ?? 0) + 1;
        attempts.set(job.data.level, tries);
        if (job.data.level === 2 && tries === 1) throw new Error('flaky');
        if (job.data.level === 3) throw new UnrecoverableError('never');
        return 'done';
      },
      { connection, prefix, logger, metrics },
    );
  });
  afterAll(async () => {
    await worker.close();
    await queues.close();
    await deletePrefix(prefix);
    producer.disconnect();
    connection.disconnect();
  });

  const count = async (outcome: string) =>
    (await metrics.jobs.get()).values.find((v) => v.labels.queue === 'escalate' && v.labels.outcome === outcome)?.value ?? 0;

  it('when jobs complete, fail once, or fail for good, then vigil_jobs_total counts each outcome and the time is measured', async () => {
    const job = (level: number) => ({ incidentId: 'inc_1', channelId: 'ch_1', occurrence: 1, level });
    // enqueue picks the queue from JOB_QUEUE: 'escalate' jobs go to the escalate queue.
    const added = await Promise.all([1, 2, 3].map((level) => queues.enqueue('escalate', job(level), { backoff: { type: 'fixed', delay: 10 } })));
    expect(added.map((j) => j.queueName)).toEqual(['escalate', 'escalate', 'escalate']);

    await eventually(async () => ((await count('completed')) === 2 && (await count('failed')) === 1 ? true : undefined));
    expect(await count('retried')).toBe(1);
    expect(attempts).toEqual(new Map([[1, 1], [2, 2], [3, 1]]));
    const durations = (await metrics.jobDuration.get()).values.find((v) => v.metricName === 'vigil_job_duration_seconds_count');
    expect(durations?.value).toBe(4);
    expect(await (await queues.escalate.getJob(added[2]!.id!))!.getState()).toBe('failed');
  });
});
