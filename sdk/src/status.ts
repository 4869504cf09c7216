import { backoffDelay, parseRetryAfter } from './backoff.js';
import { request, type HttpOptions } from './http.js';
import type { BannerStatus } from './types.js';

export interface StatusOptions {
  http: HttpOptions;
  /** Between polls while the app is in the foreground; 0 turns polling off. */
  intervalMs: number;
  /** Between polls while the app is in the background or idle. */
  backgroundIntervalMs: number;
}

/** The public face of the poller: `vigil.status`. */
export interface StatusFeed {
  /** The last status fetched, or null before the first answer. */
  current(): BannerStatus | null;
  /** `listener` is called with each new status, only when it differs from the last; returns the unsubscribe function. */
  subscribe(listener: (status: BannerStatus) => void): () => void;
}

const STATUSES = ['operational', 'degraded', 'outage'];

function parseStatus(body: string): BannerStatus | undefined {
  try {
    const doc = JSON.parse(body) as Partial<BannerStatus> | null;
    if (!doc || !STATUSES.includes(doc.status as string) || !Array.isArray(doc.incidents)) return undefined;
    return { status: doc.status as BannerStatus['status'], incidents: doc.incidents };
  } catch {
    return undefined;
  }
}

/**
 * Polls `GET /v1/status` with the last ETag (a 304 costs the service almost nothing), slower while the app is in the
 * background, backing off with jitter while the service fails, and tells subscribers only about changes.
 */
export class StatusPoller implements StatusFeed {
  private last: BannerStatus | null = null;
  private lastJson = '';
  private etag: string | undefined;
  private readonly listeners = new Set<(status: BannerStatus) => void>();
  private timer: unknown;
  private polling = false;
  private failures = 0;
  private active = true;
  private lastPollAt = -Infinity;
  private stopped = false;

  constructor(private readonly opts: StatusOptions) {}

  current(): BannerStatus | null {
    return this.last;
  }

  subscribe(listener: (status: BannerStatus) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  start(): void {
    if (this.opts.intervalMs > 0) this.schedule(0);
  }

  /** Foreground: back to the normal pace, polling at once when the last answer is older than one interval. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (this.stopped || this.opts.intervalMs <= 0 || this.polling) return;
    const due = this.lastPollAt + this.interval() - this.opts.http.runtime.now();
    this.schedule(Math.max(0, due));
  }

  stop(): void {
    this.stopped = true;
    this.opts.http.runtime.clearTimeout(this.timer);
  }

  private interval(): number {
    return this.active ? this.opts.intervalMs : this.opts.backgroundIntervalMs;
  }

  private schedule(ms: number): void {
    const { runtime } = this.opts.http;
    runtime.clearTimeout(this.timer);
    this.timer = runtime.setTimeout(() => void this.poll(), ms, true);
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    this.polling = true;
    const { runtime } = this.opts.http;
    let next: number;
    try {
      const answer = await request(this.opts.http, '/v1/status', {
        method: 'GET',
        headers: this.etag ? { 'if-none-match': this.etag } : {},
      });
      this.lastPollAt = runtime.now();
      const parsed = answer.status === 200 ? parseStatus(answer.body) : undefined;
      if (answer.status === 304 || parsed) {
        this.failures = 0;
        next = this.interval();
        if (parsed) this.update(parsed, answer.headers.get('etag') ?? undefined);
      } else {
        this.failures++;
        next = parseRetryAfter(answer.headers.get('retry-after'), runtime.now()) ?? this.backoff();
      }
    } catch {
      this.failures++;
      next = this.backoff();
    }
    this.polling = false;
    if (!this.stopped) this.schedule(next);
  }

  /** Jittered, growing from one interval, never past the background pace (nor below the interval). */
  private backoff(): number {
    const { intervalMs, backgroundIntervalMs, http } = this.opts;
    return Math.max(intervalMs, backoffDelay(this.failures, http.runtime.random(), intervalMs * 2, backgroundIntervalMs));
  }

  private update(status: BannerStatus, etag: string | undefined): void {
    this.etag = etag;
    const json = JSON.stringify(status);
    if (json === this.lastJson) return;
    this.lastJson = json;
    this.last = status;
    for (const listener of [...this.listeners]) {
      try {
        listener(status);
      } catch {
        // A broken banner must not stop the others, nor the polling.
      }
    }
  }
}
