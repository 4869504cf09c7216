import { VigilClient, type Vigil } from '../../sdk/src/client';
import type { VigilOptions } from '../../sdk/src/options';
import { memoryStorage } from '../../sdk/src/storage';
import type { BannerStatus, LoginEvent, VigilError } from '../../sdk/src/types';
import { accepted, startReceiver, until, type Answer, type Received } from '../support/http-receiver';
import { ManualRuntime } from '../support/sdk-runtime';

/** A whole second: the `Date` header has second resolution. */
const T0 = Date.parse('2026-11-27T12:00:00Z');
const APP = { version: '5.2.0', platform: 'ios', osVersion: '17.4', region: 'eu' } as const;

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
let receiver: Receiver;
let runtime: ManualRuntime;
let errors: VigilError[];
let clients: Vigil[];

function client(over: Partial<VigilOptions> = {}, rt = runtime): Vigil {
  const vigil = new VigilClient(
    { endpoint: receiver.url, ingestKey: 'vk_test', app: APP, statusIntervalMs: 0, onError: (e) => errors.push(e), ...over },
    rt,
  );
  clients.push(vigil);
  return vigil;
}

const eventsOf = (req: Received | undefined) => (req?.json as { events: LoginEvent[] }).events;
const keyOf = (req: Received | undefined) => req?.headers['idempotency-key'];
/** Answers from a script, one per request, then `rest`. */
const script = (answers: Answer[], rest: (req: Received) => Answer = accepted) => (req: Received) => answers.shift() ?? rest(req);

beforeEach(async () => {
  receiver = await startReceiver(accepted);
  runtime = new ManualRuntime(T0);
  errors = [];
  clients = [];
});
afterEach(async () => {
  // Nothing waits on the manual clock's timers; the receiver closing ends any request still open.
  await receiver.close();
});

describe('SDK batching', () => {
  it('when a batch fills up, then it is sent at once, and the rest waits for the interval', async () => {
    const vigil = client({ maxBatchSize: 3 });
    for (let i = 0; i < 7; i++) vigil.trackLogin({ outcome: i === 0 ? 'failure' : 'success', ...(i === 0 ? { errorCode: 'AUTH_TIMEOUT' } : {}) });
    await until(() => vigil.stats().delivered === 6, 'two full batches');
    expect(receiver.batches().map((r) => eventsOf(r).length)).toEqual([3, 3]);
    expect(eventsOf(receiver.batches()[0])[0]).toEqual({
      type: 'login',
      ts: T0,
      outcome: 'failure',
      errorCode: 'AUTH_TIMEOUT',
      appVersion: '5.2.0',
      platform: 'ios',
      osVersion: '17.4',
      region: 'eu',
    });

    runtime.advance(10_000);
    await until(() => receiver.batches().length === 3, 'the interval batch');
    expect(eventsOf(receiver.batches()[2])).toHaveLength(1);
    const keys = receiver.batches().map(keyOf);
    expect(new Set(keys).size).toBe(3);
    expect(receiver.batches()[0]?.headers.authorization).toBe('Bearer vk_test');
  });

  it('when fewer events than a batch are tracked, then nothing is sent before flushIntervalMs', async () => {
    const vigil = client({ flushIntervalMs: 5_000 });
    vigil.trackLogin({ outcome: 'success' });
    vigil.trackLogin({ outcome: 'success' });
    runtime.advance(4_999);
    expect(receiver.batches()).toHaveLength(0);
    runtime.advance(1);
    await until(() => receiver.batches().length === 1, 'the interval batch');
    expect(eventsOf(receiver.batches()[0])).toHaveLength(2);
  });

  it('when flush() is called, then it resolves once every event tracked before it was acknowledged', async () => {
    const vigil = client();
    vigil.trackLogin({ outcome: 'success' });
    await expect(vigil.flush()).resolves.toBe(true);
    expect(vigil.stats()).toEqual({ queued: 0, delivered: 1, dropped: 0, refused: 0 });
    await expect(vigil.flush()).resolves.toBe(true);
    expect(receiver.batches()).toHaveLength(1);
  });

  it('when a batch is large, then it travels gzipped; with compress: false, as plain JSON', async () => {
    const vigil = client({ maxBatchSize: 20 });
    for (let i = 0; i < 20; i++) vigil.trackLogin({ outcome: 'success' });
    await vigil.flush();
    expect(receiver.batches()[0]?.headers['content-encoding']).toBe('gzip');
    expect(eventsOf(receiver.batches()[0])).toHaveLength(20);

    const plain = client({ maxBatchSize: 20, compress: false, storageKey: 'plain' });
    for (let i = 0; i < 20; i++) plain.trackLogin({ outcome: 'success' });
    await plain.flush();
    expect(receiver.batches()[1]?.headers['content-encoding']).toBeUndefined();
  });
});

describe('SDK retries', () => {
  it('when the service fails with 5xx, then the same batch is retried with full-jitter backoff under the same key', async () => {
    receiver.setAnswer(script([{ status: 500 }, { status: 502 }]));
    runtime.randomValue = 0.5;
    const vigil = client();
    vigil.trackLogin({ outcome: 'success' });
    const flushed = vigil.flush();
    await until(() => runtime.dueTimes().includes(T0 + 500), 'the first retry timer (0.5 × 1 s)');
    runtime.advance(499);
    expect(receiver.batches()).toHaveLength(1);
    runtime.advance(1);
    await until(() => runtime.dueTimes().includes(T0 + 500 + 1_000), 'the second retry timer (0.5 × 2 s)');
    expect(receiver.batches()).toHaveLength(2);
    runtime.advance(1_000);
    await expect(flushed).resolves.toBe(true);
    expect(receiver.batches().map(keyOf)).toEqual(Array(3).fill(keyOf(receiver.batches()[0])));
    expect(errors).toEqual([]);
  });

  it('when the connection is reset, then the batch is retried under the same key', async () => {
    receiver.setAnswer(script(['reset']));
    runtime.randomValue = 0;
    const vigil = client();
    vigil.trackLogin({ outcome: 'success' });
    const flushed = vigil.flush();
    await until(() => runtime.dueTimes().includes(T0), 'the retry timer');
    runtime.advance(0);
    await expect(flushed).resolves.toBe(true);
    expect(receiver.batches()).toHaveLength(2);
    expect(keyOf(receiver.batches()[1])).toBe(keyOf(receiver.batches()[0]));
  });

  it.each([429, 503])('when the service answers %i with Retry-After: 7, then the retry waits 7 s, even for a flush', async (status) => {
    receiver.setAnswer(script([{ status, headers: { 'retry-after': '7' }, body: { error: { code: 'rate_limited', message: 'slow down' } } }]));
    runtime.randomValue = 0;
    const vigil = client();
    vigil.trackLogin({ outcome: 'success' });
    const flushed = vigil.flush();
    await until(() => runtime.dueTimes().includes(T0 + 7_000), 'the Retry-After timer');
    void vigil.flush();
    runtime.advance(6_999);
    expect(receiver.batches()).toHaveLength(1);
    runtime.advance(1);
    await expect(flushed).resolves.toBe(true);
    expect(receiver.batches().map(keyOf)).toEqual([keyOf(receiver.batches()[0]), keyOf(receiver.batches()[0])]);
  });

  it.each([400, 401, 413])('when the service answers %i, then the batch is refused for good, reported, and the next one goes', async (status) => {
    receiver.setAnswer(script([{ status, body: { error: { code: 'bad_request', message: 'events: expected an array' } } }]));
    const vigil = client();
    vigil.trackLogin({ outcome: 'success' });
    await expect(vigil.flush()).resolves.toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'refused', count: 1, details: { status } });
    expect(errors[0]?.message).toContain(`${status} bad_request: events: expected an array`);
    vigil.trackLogin({ outcome: 'failure' });
    await vigil.flush();
    expect(receiver.batches()).toHaveLength(2);
    expect(vigil.stats()).toEqual({ queued: 0, delivered: 1, dropped: 0, refused: 1 });
  });

  it('when a 202 rejects single events, then they are reported as final and the batch is settled', async () => {
    receiver.setAnswer(() => ({ status: 202, body: { accepted: 1, rejected: [{ index: 1, error: 'ts: more than 5 minutes in the future' }] } }));
    const vigil = client();
    vigil.trackLogin({ outcome: 'success' });
    vigil.trackLogin({ outcome: 'success' });
    await vigil.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'rejected', count: 1, details: { rejected: [{ index: 1, error: 'ts: more than 5 minutes in the future' }] } });
    expect(vigil.stats()).toEqual({ queued: 0, delivered: 1, dropped: 0, refused: 1 });
  });

  it('when the service stays down, then flush({timeoutMs}) gives up waiting and the events stay queued', async () => {
    receiver.setAnswer(() => ({ status: 503 }));
    const vigil = client();
    vigil.trackLogin({ outcome: 'success' });
    const flushed = vigil.flush({ timeoutMs: 5_000 });
    await until(() => runtime.dueTimes().includes(T0 + 500), 'the retry timer after the first attempt');
    runtime.advance(5_000);
    await expect(flushed).resolves.toBe(false);
    expect(vigil.stats().queued).toBe(1);
  });

  it('when events wait longer than the service accepts (24 h), then they are dropped and counted, not sent', async () => {
    receiver.setAnswer(() => ({ status: 503 }));
    runtime.randomValue = 0;
    const vigil = client();
    vigil.trackLogin({ outcome: 'success' });
    const flushed = vigil.flush();
    await until(() => receiver.batches().length === 1 && runtime.dueTimes().includes(T0), 'the first attempt');
    runtime.advance(24 * 3_600_000);
    await expect(flushed).resolves.toBe(true);
    expect(errors.map((e) => [e.kind, e.count])).toEqual([['dropped', 1]]);
    expect(vigil.stats()).toMatchObject({ queued: 0, dropped: 1 });
  });

  it('when the device clock is 10 minutes behind the service, then event times are sent on the service clock', async () => {
    const serverDate = new Date(T0 + 600_000).toUTCString();
    receiver.setAnswer((req) => ({ ...(accepted(req) as object), status: 202, headers: { date: serverDate } }));
    const vigil = client();
    vigil.trackLogin({ outcome: 'success' });
    await vigil.flush();
    vigil.trackLogin({ outcome: 'success' });
    await vigil.flush();
    expect(eventsOf(receiver.batches()[0])[0]?.ts).toBe(T0);
    expect(eventsOf(receiver.batches()[1])[0]?.ts).toBe(T0 + 600_000);
  });
});

describe('SDK persistence', () => {
  it('when the app restarts with a batch unacknowledged, then the new instance sends it under the same key', async () => {
    receiver.setAnswer(script(['reset']));
    const storage = memoryStorage();
    const first = client({ storage });
    first.trackLogin({ outcome: 'failure', errorCode: 'AUTH_TIMEOUT' });
    first.trackLogin({ outcome: 'success' });
    void first.flush();
    await until(() => runtime.dueTimes().includes(T0 + 500), 'the retry timer after the failed attempt');
    // The first instance is gone: its clock never moves again, as if the process had died.
    const second = client({ storage }, new ManualRuntime(T0 + 60_000));
    await second.flush();
    expect(receiver.batches()).toHaveLength(2);
    expect(keyOf(receiver.batches()[1])).toBe(keyOf(receiver.batches()[0]));
    expect(eventsOf(receiver.batches()[1])).toEqual(eventsOf(receiver.batches()[0]));
    expect(second.stats().delivered).toBe(2);
  });

  it('when more events are tracked than maxQueuedEvents, then the oldest are dropped, counted and reported', async () => {
    const vigil = client({ maxBatchSize: 5, maxQueuedEvents: 5 });
    for (let i = 0; i < 7; i++) vigil.trackLogin({ outcome: 'success', errorCode: `E${i}` });
    await vigil.flush();
    expect(vigil.stats()).toMatchObject({ dropped: 2, delivered: 5 });
    expect(errors.map((e) => e.kind)).toEqual(['dropped', 'dropped']);
    expect(eventsOf(receiver.batches()[0]).map((e) => e.errorCode)).toEqual(['E2', 'E3', 'E4', 'E5', 'E6']);
  });
});

describe('SDK user ids', () => {
  it('when a user id is tracked, then only its salted SHA-256 leaves the device', async () => {
    const vigil = client({ userIdSalt: 'salt' });
    vigil.trackLogin({ outcome: 'success', userId: 'u-123' });
    vigil.trackLogin({ outcome: 'success', userId: 'u-123' });
    vigil.trackLogin({ outcome: 'success' });
    await vigil.flush();
    const hash = '0865a80db6c695e74ac34c222f4a493591f58856bfe91e90e61cf6ca9148bdce';
    expect(eventsOf(receiver.batches()[0]).map((e) => e.userId)).toEqual([hash, hash, undefined]);
    expect(receiver.batches()[0]?.body).not.toContain('u-123');
  });

  it('when no salt is given, then the ingest key salts the hash', async () => {
    const vigil = client();
    vigil.trackLogin({ outcome: 'success', userId: 'user-1' });
    await vigil.flush();
    expect(eventsOf(receiver.batches()[0])[0]?.userId).toBe('e0d2b25485c25d9bc52ecd2245b000389f3796ca999f078366e759629f590494');
  });

  it('when hashUserIds is false, then the id is sent as the app gave it', async () => {
    const vigil = client({ hashUserIds: false });
    vigil.trackLogin({ outcome: 'success', userId: 'already-hashed-1' });
    await vigil.flush();
    expect(eventsOf(receiver.batches()[0])[0]?.userId).toBe('already-hashed-1');
  });
});

describe('SDK input', () => {
  it.each([
    [{ app: { version: '5.2.0', platform: 'web' } }, 'app.platform must be one of ios|android (got "web")'],
    [{ maxBatchSize: 5_000 }, 'maxBatchSize must be an integer from 1 to 1000 (got 5000)'],
    [{ maxBatchSize: 300, maxQueuedEvents: 100 }, 'maxQueuedEvents must be an integer from 300 to 100000 (got 100)'],
    [{ endpoint: 'ftp://vigil' }, 'endpoint must be an http(s) URL (got "ftp://vigil")'],
    [{ ingestKey: '' }, 'ingestKey is required'],
    [{ app: { version: ' ', platform: 'ios' } }, 'app.version is required (got " ")'],
  ])('when createVigil gets %j, then it throws naming the field', (over, message) => {
    expect(() => client(over as Partial<VigilOptions>)).toThrow(new TypeError(`@vigil/sdk: ${message}`));
  });

  it('when trackLogin gets an unknown outcome, then it is reported and nothing is queued', () => {
    const vigil = client();
    vigil.trackLogin({ outcome: 'ok' as 'success' });
    expect(errors.map((e) => e.message)).toEqual(['trackLogin: outcome must be success|failure (got "ok")']);
    expect(vigil.stats().queued).toBe(0);
  });

  it('when values have characters the service refuses, then they are replaced, so the login still counts', async () => {
    const vigil = client({ app: { version: '5.2.0 (1234)', platform: 'android', osVersion: '14', region: '' } });
    vigil.trackLogin({ outcome: 'failure', errorCode: 'AUTH TIMEOUT!' });
    await vigil.flush();
    expect(eventsOf(receiver.batches()[0])[0]).toEqual({
      type: 'login',
      ts: T0,
      outcome: 'failure',
      errorCode: 'AUTH_TIMEOUT_',
      appVersion: '5.2.0__1234_',
      platform: 'android',
      osVersion: '14',
    });
  });

  it('when shut down, then queued events are flushed and later logins are refused', async () => {
    const vigil = client();
    vigil.trackLogin({ outcome: 'success' });
    await vigil.shutdown();
    expect(receiver.batches()).toHaveLength(1);
    vigil.trackLogin({ outcome: 'success' });
    expect(errors.map((e) => e.message)).toEqual(['trackLogin after shutdown: ignored']);
    expect(runtime.dueTimes()).toEqual([]);
  });
});

describe('SDK status for the in-app banner', () => {
  // A request timeout unlike any polling interval: the tests tell the next poll's timer from the one of a request.
  const timeoutMs = 20_000;

  const operational: BannerStatus = { status: 'operational', incidents: [] };
  const degraded: BannerStatus = {
    status: 'degraded',
    incidents: [{ id: 'inc_1', title: 'Some users may have trouble logging in', status: 'open', startedAt: '2026-11-27T11:55:00.000Z', message: 'We are on it.' }],
  };

  it('when the status is polled, then subscribers hear of changes only, and 304s cost no notification', async () => {
    let current = { etag: 'W/"1"', body: operational };
    receiver.setAnswer((req) =>
      req.headers['if-none-match'] === current.etag ? { status: 304 } : { status: 200, headers: { etag: current.etag }, body: current.body },
    );
    const vigil = client({ statusIntervalMs: 30_000, timeoutMs });
    const seen: BannerStatus[] = [];
    vigil.status.subscribe((s) => seen.push(s));
    expect(vigil.status.current()).toBeNull();
    runtime.advance(0);
    await until(() => vigil.status.current() !== null, 'the first status');
    expect(seen).toEqual([operational]);

    await until(() => runtime.dueTimes().includes(T0 + 30_000), 'the next poll');
    runtime.advance(30_000);
    await until(() => receiver.received.length === 2 && runtime.dueTimes().includes(T0 + 60_000), 'a 304');
    expect(receiver.received[1]?.headers['if-none-match']).toBe('W/"1"');
    expect(seen).toEqual([operational]);

    current = { etag: 'W/"2"', body: degraded };
    runtime.advance(30_000);
    await until(() => seen.length === 2, 'the change');
    expect(seen[1]).toEqual(degraded);
    expect(vigil.status.current()).toEqual(degraded);
  });

  it('when the app goes to the background, then polling slows to the background pace, and resumes on return', async () => {
    receiver.setAnswer(() => ({ status: 200, headers: { etag: 'W/"1"' }, body: operational }));
    const vigil = client({ statusIntervalMs: 30_000, backgroundStatusIntervalMs: 600_000, timeoutMs });
    runtime.advance(0);
    await until(() => vigil.status.current() !== null && runtime.dueTimes().includes(T0 + 30_000), 'the foreground pace');
    vigil.setAppState('background');
    expect(runtime.dueTimes()).toContain(T0 + 600_000);
    expect(runtime.dueTimes()).not.toContain(T0 + 30_000);
    runtime.advance(40_000);
    expect(receiver.received).toHaveLength(1);
    vigil.setAppState('active');
    expect(runtime.dueTimes()).toContain(T0 + 40_000);
  });

  it('when the status route fails, then polling backs off instead of hammering it', async () => {
    receiver.setAnswer(() => ({ status: 500 }));
    runtime.randomValue = 0.99;
    const unsubscribe = client({ statusIntervalMs: 30_000, timeoutMs }).status.subscribe(() => undefined);
    runtime.advance(0);
    await until(() => runtime.dueTimes().some((t) => t > T0 + 30_000), 'the backoff');
    expect(runtime.dueTimes()).toContain(T0 + Math.floor(0.99 * 60_000));
    unsubscribe();
  });
});
