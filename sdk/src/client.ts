import { backoffDelay } from './backoff.js';
import { createUserIdHasher } from './hash.js';
import type { HttpOptions } from './http.js';
import { newBatchKey } from './ids.js';
import { resolveOptions, rawUserId, sliceValue, type Settings, type VigilOptions } from './options.js';
import { host, type Runtime } from './platform.js';
import { EventQueue, type Batch } from './queue.js';
import { StatusPoller, type StatusFeed } from './status.js';
import { EventsTransport } from './transport.js';
import { VigilError, type LoginEvent, type LoginOutcome } from './types.js';

/** The service refuses events older than 24 h; two minutes of margin cover the request's own time and small skews. */
const MAX_EVENT_AGE_MS = 24 * 3_600_000 - 2 * 60_000;
/** Device clocks off by more than this are corrected with the service's `Date` (which has 1 s resolution). */
const SKEW_TOLERANCE_MS = 60_000;

export interface LoginInput {
  outcome: LoginOutcome;
  /** Why a login failed, e.g. `AUTH_TIMEOUT`. */
  errorCode?: string;
  /** Hashed on the device unless `hashUserIds: false`. */
  userId?: string;
}

export interface FlushOptions {
  /** Give up waiting after this long: resolves `false` (the events stay queued and keep being sent). */
  timeoutMs?: number;
  /** The page is going away: send with `fetch(..., {keepalive: true})`, uncompressed. */
  keepalive?: boolean;
}

export interface VigilStats {
  /** Events waiting on the device (in storage). */
  queued: number;
  /** Events the service accepted. */
  delivered: number;
  /** Events discarded on the device: the queue was full, or they were too old for the service to accept. */
  dropped: number;
  /** Events the service refused for good (a 4xx batch, or rejected one by one in a 202). */
  refused: number;
}

export interface Vigil {
  /** Records one login; never throws, never waits. */
  trackLogin(login: LoginInput): void;
  /**
   * Resolves once every event tracked before the call was acknowledged (202) or definitively refused (or dropped);
   * `false` only when `timeoutMs` ran out first.
   */
  flush(options?: FlushOptions): Promise<boolean>;
  /**
   * What the app is doing: `active` (React Native's AppState, or `visible` for document.visibilityState) or anything
   * else (background). Leaving the foreground flushes (with keepalive) and slows status polling down.
   */
  setAppState(state: string): void;
  stats(): VigilStats;
  readonly status: StatusFeed;
  /** Stops taking events, flushes (up to `timeoutMs` if given), then stops every timer. */
  shutdown(options?: { timeoutMs?: number }): Promise<void>;
}

interface SendMode {
  /** Send a batch smaller than maxBatchSize (interval, flush); a size trigger sends full batches only. */
  partial: boolean;
  keepalive: boolean;
  /** An explicit flush: do not sit out our own backoff (a server's Retry-After is still honoured). */
  force: boolean;
}

/** The SDK's engine, with the runtime (clock, timers, random) injected: `createVigil` passes the platform's. */
export class VigilClient implements Vigil {
  private readonly settings: Settings;
  private readonly queue: EventQueue;
  private readonly transport: EventsTransport;
  private readonly poller: StatusPoller;
  private readonly hashUserId: ((userId: string) => Promise<string> | string) | undefined;
  /** Stored events restored: nothing is sent before, so that they go first. */
  private readonly ready: Promise<void>;
  /** Appends wait here in call order while a user id is being hashed. */
  private intake: Promise<void> = Promise.resolve();
  private intakeWaiting = 0;
  private sending = false;
  private again: SendMode | undefined;
  private failures = 0;
  private retryAt = 0;
  /** The wait comes from the service's Retry-After, which even a flush honours. */
  private retryFromServer = false;
  private wakeTimer: unknown;
  private tickTimer: unknown;
  private skewMs = 0;
  private waiters: Array<{ seq: number; done(settled: boolean): void }> = [];
  private closed = false;
  private shutting: Promise<void> | undefined;
  private readonly counts = { delivered: 0, dropped: 0, refused: 0 };

  constructor(
    options: VigilOptions,
    private readonly runtime: Runtime,
  ) {
    this.settings = resolveOptions(options);
    const s = this.settings;
    const http: HttpOptions = { endpoint: s.endpoint, ingestKey: s.ingestKey, fetch: s.fetch, timeoutMs: s.timeoutMs, runtime };
    this.transport = new EventsTransport(http, s.compress);
    this.poller = new StatusPoller({ http, intervalMs: s.statusIntervalMs, backgroundIntervalMs: s.backgroundStatusIntervalMs });
    this.hashUserId = s.hashUserIds ? createUserIdHasher(s.userIdSalt, host.crypto?.subtle) : undefined;
    this.queue = new EventQueue({
      storage: s.storage,
      storageKey: s.storageKey,
      maxEvents: s.maxQueuedEvents,
      onDrop: (count, reason) => {
        this.counts.dropped += count;
        this.report(
          new VigilError(
            'dropped',
            reason === 'overflow'
              ? `queue full (maxQueuedEvents ${s.maxQueuedEvents}): dropped the ${count} oldest event(s)`
              : `dropped ${count} event(s) older than the service accepts (24 h)`,
            count,
          ),
        );
        this.settleWaiters();
      },
      onStorageError: (cause, action) =>
        this.report(new VigilError('storage', `storage ${action} failed: ${String(cause)}; events are kept in memory`, 0, { cause })),
    });
    this.ready = this.queue.restore();
    void this.ready.then(() => this.pump({ partial: false, keepalive: false, force: false }));
    this.tick();
    this.poller.start();
  }

  get status(): StatusFeed {
    return this.poller;
  }

  trackLogin(login: LoginInput): void {
    if (this.closed) return this.report(new VigilError('invalid', 'trackLogin after shutdown: ignored', 1));
    const outcome = (login as Partial<LoginInput> | undefined)?.outcome;
    if (outcome !== 'success' && outcome !== 'failure') {
      return this.report(new VigilError('invalid', `trackLogin: outcome must be success|failure (got ${JSON.stringify(outcome)})`, 1));
    }
    const event: LoginEvent = { type: 'login', ts: this.runtime.now(), outcome, ...this.settings.app };
    const errorCode = login.errorCode == null ? '' : sliceValue(String(login.errorCode));
    if (errorCode) event.errorCode = errorCode;
    if (login.userId == null || login.userId === '') return this.accept(event);
    if (!this.hashUserId) {
      event.userId = rawUserId(String(login.userId));
      return this.accept(event);
    }
    const hashed = this.hashUserId(String(login.userId));
    if (typeof hashed === 'string') {
      event.userId = hashed;
      return this.accept(event);
    }
    // Never the raw id: if hashing fails the login is still counted, without a user.
    this.accept(
      event,
      hashed.then(
        (hash) => void (event.userId = hash),
        (err: unknown) => this.report(new VigilError('invalid', `hashing the user id failed: ${String(err)}; sent without it`, 0)),
      ),
    );
  }

  async flush(options: FlushOptions = {}): Promise<boolean> {
    await this.intake;
    await this.ready;
    const seq = this.queue.lastSeq;
    if (this.queue.settledThrough(seq)) return true;
    return new Promise<boolean>((resolve) => {
      let timer: unknown;
      const waiter = {
        seq,
        done: (settled: boolean) => {
          this.runtime.clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(settled);
        },
      };
      this.waiters.push(waiter);
      if (options.timeoutMs !== undefined) timer = this.runtime.setTimeout(() => waiter.done(false), options.timeoutMs);
      this.pump({ partial: true, keepalive: options.keepalive === true, force: true });
    });
  }

  setAppState(state: string): void {
    const active = state === 'active' || state === 'visible';
    this.poller.setActive(active);
    if (!active && !this.closed) void this.flush({ keepalive: true });
  }

  stats(): VigilStats {
    return { queued: this.queue.size, ...this.counts };
  }

  shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    this.shutting ??= (async () => {
      this.closed = true;
      await this.flush(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
      this.runtime.clearTimeout(this.tickTimer);
      this.runtime.clearTimeout(this.wakeTimer);
      this.poller.stop();
      await this.queue.persist();
    })();
    return this.shutting;
  }

  /** In call order: directly when nothing is being hashed, else behind the hashes in progress. */
  private accept(event: LoginEvent, hashing?: Promise<void>): void {
    if (!hashing && this.intakeWaiting === 0) return this.append(event);
    this.intakeWaiting++;
    this.intake = this.intake
      .then(() => hashing)
      .then(() => {
        this.intakeWaiting--;
        this.append(event);
      });
  }

  private append(event: LoginEvent): void {
    this.queue.append(event);
    if (this.queue.size >= this.settings.maxBatchSize) this.pump({ partial: false, keepalive: false, force: false });
  }

  /** The periodic send, whatever the batch size. Background: it must not keep a Node process alive. */
  private tick(): void {
    this.tickTimer = this.runtime.setTimeout(
      () => {
        if (this.queue.size > 0) this.pump({ partial: true, keepalive: false, force: false });
        this.tick();
      },
      this.settings.flushIntervalMs,
      true,
    );
  }

  /** Starts sending unless a send is running (then it runs again after) or a retry wait applies. */
  private pump(mode: SendMode): void {
    if (this.sending) {
      // The send under way is the attempt a flush asked for: what follows it keeps to the retry wait.
      this.again = { partial: mode.partial || !!this.again?.partial, keepalive: mode.keepalive || !!this.again?.keepalive, force: false };
      return;
    }
    if (this.runtime.now() < this.retryAt && !(mode.force && !this.retryFromServer)) return this.wake();
    this.sending = true;
    void this.send(mode).finally(() => {
      this.sending = false;
      const again = this.again;
      this.again = undefined;
      if (again) this.pump(again);
    });
  }

  /** A timer for the end of the retry wait; it holds a Node process open only while someone awaits a flush. */
  private wake(): void {
    this.runtime.clearTimeout(this.wakeTimer);
    this.wakeTimer = this.runtime.setTimeout(
      () => this.pump({ partial: true, keepalive: false, force: false }),
      Math.max(0, this.retryAt - this.runtime.now()),
      this.waiters.length === 0,
    );
  }

  private async send(mode: SendMode): Promise<void> {
    await this.ready;
    for (;;) {
      this.queue.dropExpired(this.runtime.now() - MAX_EVENT_AGE_MS);
      const batch = await this.queue.next(this.settings.maxBatchSize, mode.partial, () => newBatchKey(() => this.runtime.random()));
      if (!batch) break;
      const outcome = await this.transport.send(batch.key, this.wire(batch), { keepalive: mode.keepalive });
      const now = this.runtime.now();
      if (outcome.serverTime !== undefined) this.skewMs = outcome.serverTime - now;
      if (outcome.kind === 'retry') {
        this.queue.release();
        this.failures++;
        this.retryFromServer = outcome.retryAfterMs !== undefined;
        this.retryAt = now + (outcome.retryAfterMs ?? backoffDelay(this.failures, this.runtime.random()));
        this.wake();
        break;
      }
      this.failures = 0;
      this.retryAt = 0;
      await this.queue.settle(batch);
      if (outcome.kind === 'accepted') {
        this.counts.delivered += outcome.accepted;
        if (outcome.rejected.length > 0) {
          this.counts.refused += outcome.rejected.length;
          const first = outcome.rejected[0]!;
          this.report(
            new VigilError('rejected', `${outcome.rejected.length} event(s) rejected, e.g. #${first.index}: ${first.error}`, outcome.rejected.length, {
              rejected: outcome.rejected,
            }),
          );
        }
      } else {
        this.counts.refused += batch.entries.length;
        this.report(
          new VigilError('refused', `batch of ${batch.entries.length} event(s) refused: ${outcome.message}`, batch.entries.length, {
            status: outcome.status,
          }),
        );
      }
      this.settleWaiters();
    }
    this.settleWaiters();
  }

  /** The batch's events as sent: times moved onto the service's clock when the device's is far off. */
  private wire(batch: Batch): LoginEvent[] {
    const skew = Math.abs(this.skewMs) > SKEW_TOLERANCE_MS ? this.skewMs : 0;
    return batch.entries.map((e) => (skew === 0 ? e.event : { ...e.event, ts: e.event.ts + skew }));
  }

  private settleWaiters(): void {
    for (const waiter of this.waiters) if (this.queue.settledThrough(waiter.seq)) waiter.done(true);
  }

  private report(error: VigilError): void {
    try {
      this.settings.onError(error);
    } catch {
      // The app's own hook failing must not break telemetry.
    }
  }
}
