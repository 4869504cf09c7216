import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { ManualClock } from '../clock';
import { MemoryCounters } from '../counters/memory';
import type { DetectorState } from '../domain/detector/detector';
import type { DetectorSettings } from '../domain/detector/settings';
import { PLATFORMS, type Incident, type Release, type TelemetryEvent } from '../domain/types';
import { createEventSchema, SliceValue } from '../ingest/event-schema';
import { MemoryIncidentBook } from './incident-book';
import { evaluateApp } from './runner';

/** An incident as the backtest prints it: the Incident of CONTRACT.md, times as ISO-8601. */
export interface BacktestIncident {
  id: string;
  app: string;
  kind: Incident['kind'];
  status: Incident['status'];
  severity: Incident['severity'];
  title: string;
  startedAt: string;
  detectedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  impact: Incident['impact'];
  suspectedCause: (Omit<NonNullable<Incident['suspectedCause']>, 'release'> & { release: { appVersion: string; releasedAt: string } | null }) | null;
  timeline: Array<{ at: string; type: string; message: string; by?: string }>;
}

export interface BacktestOptions {
  input: string;
  /** The app's name in the output; when lines carry an `app` field, only that app's lines are read. */
  app?: string;
  settings: DetectorSettings;
  everySeconds: number;
  progress: (msg: string) => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

function toOutput(r: Incident): BacktestIncident {
  const cause = r.suspectedCause;
  return {
    id: r.id,
    app: r.app,
    kind: r.kind,
    status: r.status,
    severity: r.severity,
    title: r.title,
    startedAt: iso(r.startedAt),
    detectedAt: iso(r.detectedAt),
    acknowledgedAt: r.acknowledgedAt === null ? null : iso(r.acknowledgedAt),
    resolvedAt: r.resolvedAt === null ? null : iso(r.resolvedAt),
    impact: r.impact,
    suspectedCause: cause && {
      ...cause,
      release: cause.release && { appVersion: cause.release.appVersion, releasedAt: iso(cause.release.releasedAt) },
    },
    timeline: r.timeline.map((t) => ({ ...t, at: iso(t.at) })),
  };
}

const ReleaseLine = z.object({
  type: z.literal('release'),
  appVersion: SliceValue,
  platform: z.enum(PLATFORMS).optional(),
  releasedAt: z.union([z.number().int().nonnegative(), z.string().transform((s) => Date.parse(s))]).refine((ms) => !Number.isNaN(ms), 'expected an ISO-8601 time'),
});

/** The time a line speaks of, read before validation so the simulated clock can reach it first. */
function claimedTime(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as { ts?: unknown; minute?: unknown; releasedAt?: unknown };
  const t = r.ts ?? r.minute ?? r.releasedAt;
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const magic = Buffer.alloc(2);
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function defaultAppName(file: string): string {
  return path.basename(file).replace(/\.gz$/, '').replace(/\.ndjson$/, '');
}

/**
 * Replays a file through the live detection path on simulated time: events into in-memory counters, `evaluateApp`
 * every `everySeconds` of simulated time exactly as the live worker calls it, signals applied to in-memory
 * incidents by the live incident service's rule (MemoryIncidentBook). An aggregate of minute m becomes visible at
 * m + 60 s (when it is complete), raw logins at their ts.
 */
export async function runBacktest(opts: BacktestOptions): Promise<BacktestIncident[]> {
  const app = opts.app ?? defaultAppName(opts.input);
  const stepMs = Math.round(opts.everySeconds * 1000);
  const counters = new MemoryCounters(app);
  const book = new MemoryIncidentBook(app);
  const releases: Release[] = [];
  const clock = new ManualClock(0);
  const eventSchema = createEventSchema(clock);
  let state: DetectorState | null = null;
  let nextTick: number | null = null;
  /** Aggregates read but not yet complete (visible at minute + 60 s), in visibility order. */
  const pending: Array<{ visibleAt: number; event: TelemetryEvent }> = [];
  let pendingHead = 0;

  const evaluateAt = async (t: number) => {
    clock.set(t);
    while (pendingHead < pending.length && (pending[pendingHead] as (typeof pending)[number]).visibleAt <= t) {
      counters.add((pending[pendingHead++] as (typeof pending)[number]).event);
    }
    if (pendingHead > 4096) {
      pending.splice(0, pendingHead);
      pendingHead = 0;
    }
    const visible = releases.filter((r) => r.createdAt <= t);
    const result = await evaluateApp({ counters, settings: opts.settings }, { app, now: t, releases: visible, state });
    state = result.state;
    book.apply(result.signals, t);
  };

  /** Evaluates every tick strictly before `time`: what the live detector would have run before this line arrived. */
  const runUntil = async (time: number) => {
    if (nextTick === null) nextTick = Math.ceil(time / stepMs) * stepMs;
    while (nextTick < time) {
      await evaluateAt(nextTick);
      nextTick += stepMs;
    }
    clock.set(Math.max(clock.now(), time));
  };

  const size = statSync(opts.input).size;
  let bytesRead = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytesRead += chunk.length;
      done(null, chunk);
    },
  });
  const raw = createReadStream(opts.input).pipe(counting);
  const lines = createInterface({ input: isGzip(opts.input) ? raw.pipe(createGunzip()) : raw, crlfDelay: Infinity });

  const started = Date.now();
  let lineNo = 0;
  let lastVisible = -Infinity;
  let lastReport = started;
  let rejected = 0;
  const reject = (message: string) => {
    rejected++;
    opts.progress(`line ${lineNo}: ${message} (skipped)`);
  };

  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      reject('not valid JSON');
      continue;
    }
    const lineApp = (parsed as { app?: unknown } | null)?.app;
    if (opts.app !== undefined && typeof lineApp === 'string' && lineApp !== opts.app) continue;
    const time = claimedTime(parsed);
    if (time !== null) await runUntil(time);
    if ((parsed as { type?: unknown } | null)?.type === 'release') {
      const release = ReleaseLine.safeParse(parsed);
      if (!release.success) {
        reject(release.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        continue;
      }
      const r = release.data;
      releases.push({
        id: `rel_${lineNo}`,
        app,
        appVersion: r.appVersion,
        platform: r.platform ?? null,
        releasedAt: r.releasedAt,
        rolloutPercent: null,
        notes: null,
        // Registered when the line is read: in time order, that is its release time.
        createdAt: r.releasedAt,
      });
      continue;
    }
    const event = eventSchema.safeParse(parsed);
    if (!event.success) {
      reject(event.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
      continue;
    }
    const e = event.data;
    if (e.type === 'login') {
      counters.add(e);
      lastVisible = Math.max(lastVisible, e.ts);
    } else {
      pending.push({ visibleAt: e.minute + 60_000, event: e });
      lastVisible = Math.max(lastVisible, e.minute + 60_000);
    }
    const now = Date.now();
    if (now - lastReport >= 1000) {
      lastReport = now;
      const pct = size > 0 ? Math.min(100, (100 * bytesRead) / size) : 100;
      opts.progress(`${pct.toFixed(0)}% ${lineNo} lines ${Math.round(lineNo / ((now - started) / 1000))} lines/s`);
    }
  }
  // The last ticks, up to the moment the last line became visible: beyond it the file says nothing.
  if (Number.isFinite(lastVisible)) {
    await runUntil(lastVisible);
    if (nextTick !== null && nextTick === lastVisible) await evaluateAt(nextTick);
  }
  const seconds = (Date.now() - started) / 1000;
  opts.progress(
    `100% ${lineNo} lines in ${seconds.toFixed(1)} s (${Math.round(lineNo / Math.max(seconds, 1e-3))} lines/s), ` +
      `${rejected} skipped, ${book.all.length} incident(s)`,
  );
  return book.all.map(toOutput);
}
