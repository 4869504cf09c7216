import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { QUEUES } from '../../src/queue/names';
import { TEST_REDIS_URL } from './redis';
import { eventually, type TestService } from './service';

interface Series {
  points: Array<{ attempts: number; failures: number }>;
}

/** Logins the service counted for the app since `since`, read from GET /v1/apps/:id/series. */
export async function countedLogins(service: TestService, appId: string, since: number): Promise<{ attempts: number; failures: number }> {
  const from = Math.floor(since / 60_000) * 60_000 - 60_000;
  const res = await service.api(`/v1/apps/${appId}/series?from=${from}&to=${Date.now() + 120_000}&step=60`);
  const { points } = (await res.json()) as Series;
  return points.reduce((sum, p) => ({ attempts: sum.attempts + p.attempts, failures: sum.failures + p.failures }), { attempts: 0, failures: 0 });
}

/**
 * What the service counted once every batch it acknowledged has been folded: the ingest queue drained, so a
 * duplicate still on its way would show.
 */
export async function countedWhenDrained(service: TestService, appId: string, since: number): Promise<{ attempts: number; failures: number }> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const queue = new Queue(QUEUES.ingest, { connection: redis, prefix: service.prefix });
  try {
    await eventually(async () => ((await queue.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized')) === 0 ? true : undefined));
    return await countedLogins(service, appId, since);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
