import { gzipSync } from 'node:zlib';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { RedisCounters } from '../../src/counters/redis';
import { QUEUES } from '../../src/queue/names';
import { TEST_REDIS_URL } from '../support/redis';
import { eventually, startTestService, type TestService } from '../support/service';

describe('POST /v1/events on the running service', () => {
  let service: TestService;
  let redis: Redis;
  let counters: RedisCounters;
  let queue: Queue;
  let app: { id: string; ingestKey: string; keyPrefix: string };

  const login = (over: Record<string, unknown> = {}) => ({
    type: 'login',
    ts: new Date().toISOString(),
    outcome: 'success',
    appVersion: '5.2.0',
    platform: 'ios',
    userId: 'u-1',
    ...over,
  });
  const post = (body: string | Buffer, headers: Record<string, string> = {}, token: string | null = app.ingestKey) =>
    fetch(`${service.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body,
    });
  const postEvents = (events: unknown[], headers: Record<string, string> = {}) => post(JSON.stringify({ events }), headers);
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
  const attempts = async () => {
    const now = Date.now();
    const buckets = await counters.buckets(app.id, now - 3_600_000, now + 600_000, 60_000);
    return buckets.reduce((n, b) => n + b.total.attempts, 0);
  };
  /** Waits for the worker to drain, then reads the counters. */
  const countedAttempts = async () => {
    await eventually(async () => ((await queue.getJobCountByTypes('waiting', 'active', 'delayed')) === 0 ? true : undefined));
    return attempts();
  };

  beforeAll(async () => {
    service = await startTestService('ingest-http');
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    counters = new RedisCounters(redis, service.prefix);
    queue = new Queue(QUEUES.ingest, { connection: redis, prefix: service.prefix });
    app = (await (await service.api('/v1/apps', { method: 'POST', json: { name: 'shop-ios' } })).json()) as typeof app;
  });
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await service.cleanup();
  });

  it('when a valid batch arrives, then 202 counts it and the worker folds it into the counters', async () => {
    const res = await postEvents([login(), login({ outcome: 'failure', errorCode: 'AUTH_TIMEOUT' })]);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, rejected: [] });
    expect(await eventually(async () => ((await attempts()) === 2 ? 2 : undefined))).toBe(2);
  });

  it('when some events are bad, then they are rejected by index naming the field and the rest is accepted', async () => {
    const before = await countedAttempts();
    const res = await postEvents([login(), login({ platform: 'web' }), { type: 'login', ts: 'soon' }, login({ appVersion: 7 })]);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: 1,
      rejected: [
        { index: 1, error: 'platform: expected one of ios|android' },
        { index: 2, error: 'ts: expected an ISO-8601 time or epoch milliseconds' },
        { index: 3, error: 'appVersion: expected string' },
      ],
    });
    expect(await countedAttempts()).toBe(before + 1);
  });

  it('when every event is bad, then nothing is queued and the answer is still 202', async () => {
    const waiting = await queue.count();
    const res = await postEvents([login({ outcome: 'perhaps' })]);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 0, rejected: [{ index: 0, error: 'outcome: expected one of success|failure' }] });
    expect(await queue.count()).toBe(waiting);
  });

  it.each([
    ['the body is not JSON', () => post('{"events": [', {}), 400, 'invalid_json'],
    ['there is no events array', () => post('{"evts": []}'), 400, 'bad_request'],
    ['events is not an array', () => post('{"events": {}}'), 400, 'bad_request'],
    ['the content type is not JSON', () => post('{"events": []}', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
    ['the encoding is not gzip', () => post('{"events": []}', { 'content-encoding': 'br' }), 415, 'unsupported_media_type'],
    ['the gzip is broken', () => post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }), 400, 'invalid_json'],
    ['there are 1001 events', () => postEvents(Array.from({ length: 1001 }, () => login())), 413, 'payload_too_large'],
    ['the key is missing', () => post('{"events": []}', {}, null), 401, 'unauthorized'],
    ['the key is unknown', () => post('{"events": []}', {}, 'vk_nope'), 401, 'unauthorized'],
    ['the Idempotency-Key is too long', () => postEvents([login()], { 'idempotency-key': 'k'.repeat(201) }), 400, 'bad_request'],
  ])('when %s, then the whole batch is refused with a clear 4xx', async (_name, send, status, code) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect((await errorOf(res)).code).toBe(code);
  });

  it('when no events array is sent, then the error names the field', async () => {
    expect((await errorOf(await post('{"evts": []}'))).message).toContain('events');
  });

  it('when the admin token is used, then it may not ingest', async () => {
    expect((await post('{"events": []}', {}, service.adminToken)).status).toBe(403);
  });

  it('when a gzip body inflates beyond 1 MiB (a gzip bomb), then 413 comes at once, before inflating it all', async () => {
    const bomb = gzipSync(Buffer.from(`{"events": [${' '.repeat(64 * 1024 * 1024)}]}`));
    expect(bomb.length).toBeLessThan(200_000);
    const started = Date.now();
    const res = await post(bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('when a gzip body is under 1 MiB decoded (but far over 100 KB), then it is accepted', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => login({ userId: `user-${i}`, region: 'eu', osVersion: '17.4', padding: 'x'.repeat(600) }));
    const json = JSON.stringify({ events });
    expect(json.length).toBeGreaterThan(700_000);
    expect(json.length).toBeLessThan(1024 * 1024);
    const res = await post(gzipSync(json), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(1000);
  });

  it('when a plain body is just over 1 MiB, then it is refused with 413', async () => {
    const res = await post(`{"events": [], "pad": "${'x'.repeat(1024 * 1024)}"}`);
    expect(res.status).toBe(413);
  });

  it('when a batch is replayed with the same Idempotency-Key, before and after its job completed, then it counts once', async () => {
    const before = await countedAttempts();
    const headers = { 'idempotency-key': 'batch-0001' };
    const events = [login(), login(), login({ platform: 'android' }), login({ platform: 'bb' })];
    const first = await postEvents(events, headers);
    const replay = await postEvents(events, headers);
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    const answer = await first.json();
    expect(answer).toEqual({ accepted: 3, rejected: [{ index: 3, error: 'platform: expected one of ios|android' }] });
    expect(await replay.json()).toEqual(answer);
    expect(await countedAttempts()).toBe(before + 3);

    // The first job has completed: the deduplication window outlives it.
    const late = await postEvents(events, headers);
    expect(late.status).toBe(202);
    expect(await late.json()).toEqual(answer);
    // Even an operator's clean-up of completed jobs (which deletes BullMQ's deduplication keys) does not reopen it.
    await queue.clean(0, 10_000, 'completed');
    const afterClean = await postEvents(events, headers);
    expect(afterClean.status).toBe(202);
    expect(await afterClean.json()).toEqual(answer);
    expect(await countedAttempts()).toBe(before + 3);

    // Another key is another batch, and the same key of another app would be too.
    expect((await postEvents(events, { 'idempotency-key': 'batch-0002' })).status).toBe(202);
    expect(await countedAttempts()).toBe(before + 6);
  });

  it('when replays race each other, or the recorded answer is gone, then BullMQ deduplication still counts once', async () => {
    const before = await countedAttempts();
    const headers = { 'idempotency-key': 'racing-batch' };
    const events = [login(), login()];
    const answers = await Promise.all(Array.from({ length: 6 }, () => postEvents(events, headers)));
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
    for (const r of answers) expect(await r.json()).toEqual({ accepted: 2, rejected: [] });
    expect(await countedAttempts()).toBe(before + 2);

    // After the job completed, without the recorded answer: the deduplication key alone refuses the replay.
    await redis.unlink(...(await redis.keys(`${service.prefix}:idem:*`)));
    const late = await postEvents(events, headers);
    expect(late.status).toBe(202);
    expect(await late.json()).toEqual({ accepted: 2, rejected: [] });
    expect(await countedAttempts()).toBe(before + 2);
  });

  it('when a key is revoked, then it is refused with 401 and the worker keeps counting other keys', async () => {
    const rotated = (await (await service.api(`/v1/apps/${app.id}/keys`, { method: 'POST' })).json()) as { ingestKey: string; keyPrefix: string };
    expect((await post(JSON.stringify({ events: [login()] }), {}, rotated.ingestKey)).status).toBe(202);
    expect((await service.api(`/v1/apps/${app.id}/keys/${rotated.keyPrefix}`, { method: 'DELETE' })).status).toBe(204);
    const res = await post(JSON.stringify({ events: [login()] }), {}, rotated.ingestKey);
    expect(res.status).toBe(401);
    const before = await countedAttempts();
    expect((await postEvents([login()])).status).toBe(202);
    expect(await countedAttempts()).toBe(before + 1);
  });

  it('when batches are refused or accepted, then the ingest metrics say so', async () => {
    const text = await (await service.api('/metrics')).text();
    expect(text).toMatch(/vigil_ingest_batches_total\{outcome="queued"\} \d+/);
    expect(text).toMatch(/vigil_ingest_batches_total\{outcome="duplicate"\} [1-9]/);
    expect(text).toMatch(/vigil_ingest_batches_total\{outcome="refused"\} [1-9]/);
    expect(text).toMatch(/vigil_ingest_events_total\{result="rejected"\} [1-9]/);
    expect(text).toMatch(/vigil_login_attempts_total\{app="[^"]+",platform="ios"\} [1-9]/);
  });
});
