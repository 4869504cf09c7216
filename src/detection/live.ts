import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { RedisClient } from '../queue/connection';
import type { Clock } from '../clock';
import type { Signal } from '../domain/detector/signals';
import type { Release } from '../domain/types';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { DetectAppJob, JobName } from '../queue/names';
import type { AppStore, ReleaseStore } from '../store/ports';

/**
 * One evaluation of one app: src/detection/runner.ts's `evaluateApp` with the live counters and settings bound.
 * Taking it as a function keeps this file about scheduling, locking and state, the same for any detector.
 */
export type EvaluateApp<S> = (input: {
  app: string;
  now: number;
  releases: Release[];
  /** null on an app's first evaluation, or after its state expired. */
  state: S | null;
}) => Promise<{ state: S; signals: Signal[] }>;

/**
 * Where an evaluation's signals go: the incident service, wired in src/service.ts. Declared here so that detection
 * does not import the stage after it.
 */
export interface SignalSink {
  applySignals(app: string, signals: Signal[], now: number): Promise<void>;
}

export interface LiveDetectorDeps<S> {
  /** A worker (patient) connection: evaluations ride out a Redis restart rather than fail at once. */
  redis: RedisClient;
  /** REDIS_PREFIX. */
  prefix: string;
  evaluate: EvaluateApp<S>;
  releases: Pick<ReleaseStore, 'list'>;
  incidents: SignalSink;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Longer than any sane evaluation; a crashed holder blocks its app for at most this long. */
  lockTtlMs?: number;
  /**
   * How long the oldest accepted batch still waiting to be counted has waited, in ms (0 when none). While the counters
   * are further behind than `maxIngestLagMs`, the latest closed minutes lack logins Vigil already accepted: judged now,
   * they would read as a collapse of logins and page for a backlog. Such a tick is postponed (counted and logged); the
   * next one tries again, and a detector postponed for long fires Vigil's own "detector not evaluating" alert.
   */
  ingestLag?: () => Promise<number>;
  maxIngestLagMs?: number;
}

/** Half a minute: the last closed minute may then miss at most half its logins, short of what a drop needs. */
export const MAX_INGEST_LAG_MS = 30_000;

/** Detector state outlives a quiet app by a week; after that the detector starts afresh from the counters. */
const STATE_TTL_MS = 7 * 24 * 3_600_000;

/**
 * Saves the state only while the lock is still ours, then releases it: an evaluation that outlived its lock must not
 * overwrite the state of a newer one.
 */
const SAVE_AND_UNLOCK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[1])
return 1`;

const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The live detector of one app per call: load state, evaluate, apply the signals, save state. Any worker may take any
 * app's tick; a short lock keeps two evaluations of one app from overlapping. A crash between applying and saving
 * re-evaluates from the old state next tick, which is safe because applying signals is idempotent.
 */
export class LiveDetector<S> {
  private readonly lockTtlMs: number;

  constructor(private readonly deps: LiveDetectorDeps<S>) {
    this.lockTtlMs = deps.lockTtlMs ?? 30_000;
  }

  /**
   * 'busy' when another evaluation of the app holds the lock, 'postponed' while the counters lag behind what was
   * accepted: this tick is skipped, the next one comes soon.
   */
  async run(app: string): Promise<'evaluated' | 'busy' | 'postponed'> {
    const { redis, metrics, clock } = this.deps;
    const lag = (await this.deps.ingestLag?.()) ?? 0;
    if (lag > (this.deps.maxIngestLagMs ?? MAX_INGEST_LAG_MS)) {
      metrics.detectorEvaluations.inc({ outcome: 'postponed' });
      this.deps.logger.info({ app, ingestLagMs: lag }, 'detector tick postponed: the counters are behind what was accepted');
      return 'postponed';
    }
    const token = randomBytes(12).toString('base64url');
    if ((await redis.set(this.lockKey(app), token, 'PX', this.lockTtlMs, 'NX')) !== 'OK') {
      metrics.detectorEvaluations.inc({ outcome: 'busy' });
      return 'busy';
    }
    const done = metrics.detectorRunDuration.startTimer();
    // Saving releases the lock too; any other way out releases it in `finally`.
    let released = false;
    try {
      const now = clock.now();
      // Releases are read fresh on every tick (one indexed query): one registered just before its failures began
      // must be named in the very first page.
      const [state, releases] = await Promise.all([this.loadState(app), this.deps.releases.list(app)]);
      const result = await this.deps.evaluate({ app, now, releases, state });
      await this.deps.incidents.applySignals(app, result.signals, now);
      await this.saveAndUnlock(app, token, result.state);
      released = true;
      metrics.detectorEvaluations.inc({ outcome: 'ok' });
      metrics.detectorLastSuccess.set(now / 1000);
      return 'evaluated';
    } catch (err) {
      metrics.detectorEvaluations.inc({ outcome: 'error' });
      this.deps.logger.error({ err, app }, 'detector evaluation failed; the next tick tries again');
      throw err;
    } finally {
      done();
      if (!released) await this.unlock(app, token);
    }
  }

  // The app as hash tag: saveAndUnlock's script touches both keys, which on a Redis Cluster must share a slot.
  private stateKey(app: string): string {
    return `${this.deps.prefix}:detector:{${app}}`;
  }

  private lockKey(app: string): string {
    return `${this.deps.prefix}:detector-lock:{${app}}`;
  }

  private async loadState(app: string): Promise<S | null> {
    const raw = await this.deps.redis.get(this.stateKey(app));
    if (raw === null) return null;
    try {
      // Written by saveAndUnlock from the evaluator's own output.
      return JSON.parse(raw) as S;
    } catch (err) {
      this.deps.logger.warn({ err, app }, 'detector state unreadable; starting afresh from the counters');
      return null;
    }
  }

  private async saveAndUnlock(app: string, token: string, state: S): Promise<void> {
    const keys = [this.lockKey(app), this.stateKey(app)];
    const saved = await this.deps.redis.eval(SAVE_AND_UNLOCK, 2, ...keys, token, JSON.stringify(state), STATE_TTL_MS);
    if (saved !== 1) {
      this.deps.logger.warn({ app, lockTtlMs: this.lockTtlMs }, 'detector evaluation outlived its lock; its state was not saved');
    }
  }

  private async unlock(app: string, token: string): Promise<void> {
    try {
      await this.deps.redis.eval(UNLOCK, 1, this.lockKey(app), token);
    } catch (err) {
      // The lock expires on its own; failing the job over it would only hide the real outcome.
      this.deps.logger.warn({ err, app }, 'could not release the detector lock');
    }
  }
}

export const DETECT_JOB = 'detect-app' satisfies JobName;

/**
 * BullMQ names a scheduler's jobs `repeat:<schedulerId>:<millis>` and treats `:` as its own separator (custom job
 * ids may not contain one), so scheduler ids use `-`.
 */
const SCHEDULER_PREFIX = 'detect-';
export const detectSchedulerId = (app: string) => `${SCHEDULER_PREFIX}${app}`;

export interface DetectSchedulesDeps {
  queue: Queue<DetectAppJob>;
  apps: Pick<AppStore, 'list'>;
  /** DETECT_EVERY_SECONDS × 1000. */
  everyMs: number;
  logger: Logger;
}

/**
 * One BullMQ job scheduler per app on the detect queue. A scheduler yields one job per tick, and any worker may take
 * it, so the apps spread over the workers by themselves.
 */
export class DetectSchedules {
  constructor(private readonly deps: DetectSchedulesDeps) {}

  /** Adds a scheduler for each app without one (or with another interval) and removes those of vanished apps. */
  async sync(): Promise<{ added: string[]; removed: string[] }> {
    const { queue, everyMs } = this.deps;
    const [apps, schedulers] = await Promise.all([this.deps.apps.list(), queue.getJobSchedulers(0, -1)]);
    const current = new Map(schedulers.filter((s) => s.key.startsWith(SCHEDULER_PREFIX)).map((s) => [s.key, s.every]));
    const wanted = new Map(apps.map((a) => [detectSchedulerId(a.id), a.id]));
    const added: string[] = [];
    for (const [id, app] of wanted) {
      if (current.get(id) === everyMs) continue;
      // attempts 1: a failed tick is not retried, the next tick is the retry; nothing piles up behind a broken app.
      await queue.upsertJobScheduler(id, { every: everyMs }, { name: DETECT_JOB, data: { app }, opts: { attempts: 1 } });
      added.push(app);
    }
    const removed: string[] = [];
    for (const id of current.keys()) {
      if (wanted.has(id)) continue;
      await queue.removeJobScheduler(id);
      removed.push(id.slice(SCHEDULER_PREFIX.length));
    }
    if (added.length > 0 || removed.length > 0) this.deps.logger.info({ added, removed, everyMs }, 'detector schedules synced');
    return { added, removed };
  }

  /** Re-syncs every `intervalMs`, a safety net for apps created by another process; returns the stopper. */
  syncEvery(intervalMs: number): () => void {
    const timer = setInterval(() => {
      this.sync().catch((err: unknown) => this.deps.logger.warn({ err }, 'detector schedule sync failed; retrying next interval'));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
