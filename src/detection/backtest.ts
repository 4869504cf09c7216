import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { ManualClock } from '../clock';
import { MemoryCounters } from '../counters/memory';
import type { DetectorState } from '../domain/detector/detector';
import { SeriesWindow } from '../domain/detector/series';
import type { DetectorSettings } from '../domain/detector/settings';
import { PLATFORMS, type Incident, type Release, type TelemetryEvent } from '../domain/types';
import { createEventSchema, SliceValue } from '../ingest/event-schema';
import { fastEvent } from '../ingest/fast-event';
import { MemoryIncidentBook } from './incident-book';
import { evaluateApp } from './runner';

/** An incident as the backtest prints it: the Incident of the API (docs/api.md), times as ISO-8601. */
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

export interface BacktestOptions extends ReplayOptions {
  settings: DetectorSettings;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** An incident as the backtest prints it (the live store's incidents too, in the differential test). */
export function toOutput(r: Incident): BacktestIncident {
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

/**
 * The time a line speaks of, read before validation so the simulated clock can reach it first. Aggregate files repeat
 * one minute's string on dozens of lines in a row: the last one parsed is remembered.
 */
function timeReader(): (raw: unknown) => number | null {
  let lastText = '';
  let lastMs = NaN;
  return (raw) => {
    if (typeof raw !== 'object' || raw === null) return null;
    const r = raw as { ts?: unknown; minute?: unknown; releasedAt?: unknown };
    const t = r.ts ?? r.minute ?? r.releasedAt;
    let ms = NaN;
    if (typeof t === 'number') ms = t;
    else if (typeof t === 'string') {
      if (t !== lastText) {
        lastText = t;
        lastMs = Date.parse(t);
      }
      ms = lastMs;
    }
    return Number.isFinite(ms) ? ms : null;
  };
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

export interface ReplayOptions {
  input: string;
  /** The app's name in the output; when lines carry an `app` field, only that app's lines are read. */
  app?: string;
  everySeconds: number;
  progress: (msg: string) => void;
}

/** One tick of simulated time: what the live detector worker would see at `now`. */
export interface ReplayTick {
  app: string;
  now: number;
  counters: MemoryCounters;
  /** The releases registered by `now`. */
  releases: Release[];
}

/** The app a replay speaks of: `--app`, else the file's name. */
export function replayApp(opts: Pick<ReplayOptions, 'input' | 'app'>): string {
  return opts.app ?? defaultAppName(opts.input);
}

/**
 * A file's lines (gunzipped when it is gzip), read chunk by chunk: one await per chunk rather than one per line, and
 * each line cut from its chunk only when it is read, so no array of a chunk's lines outlives a detector evaluation
 * (it would be copied into the old generation and collected from there).
 */
async function* lineChunks(file: string, onBytes: (n: number) => void): AsyncGenerator<Iterable<string>> {
  const raw = createReadStream(file);
  raw.on('data', (chunk) => onBytes(chunk.length));
  // Bigger gunzip output chunks than the 16 KiB default: fewer trips through the loop below.
  const text = (isGzip(file) ? raw.pipe(createGunzip({ chunkSize: 1 << 18 })) : raw).setEncoding('utf8');
  let rest = '';
  for await (const chunk of text as AsyncIterable<string>) {
    const buffer = rest + chunk;
    const end = buffer.lastIndexOf('\n');
    rest = buffer.slice(end + 1);
    yield linesOf(buffer, end);
  }
  if (rest !== '') yield [rest];
}

function* linesOf(buffer: string, end: number): Generator<string> {
  let start = 0;
  while (start <= end) {
    const nl = buffer.indexOf('\n', start);
    yield buffer.slice(start, nl);
    start = nl + 1;
  }
}

/**
 * Replays a file on simulated time: events into in-memory counters, and `tick` every `everySeconds` of simulated
 * time, each tick seeing exactly what the live detector worker would see then. An aggregate of minute m becomes
 * visible at m + 60 s (when it is complete), raw logins at their ts. The backtest ticks the detector and an
 * in-memory incident book; the differential test ticks the live detector and incident service instead.
 */
export async function replay(
  opts: ReplayOptions,
  tick: (at: ReplayTick) => Promise<void>,
): Promise<{ lines: number; rejected: number; seconds: number }> {
  const app = replayApp(opts);
  const stepMs = Math.round(opts.everySeconds * 1000);
  const counters = new MemoryCounters(app);
  const releases: Release[] = [];
  const clock = new ManualClock(0);
  const eventSchema = createEventSchema(clock);
  let nextTick: number | null = null;
  /** Aggregates read but not yet complete (visible at minute + 60 s), in visibility order. */
  const pending: Array<{ visibleAt: number; event: TelemetryEvent }> = [];
  let pendingHead = 0;

  const tickAt = async (t: number) => {
    clock.set(t);
    while (pendingHead < pending.length && (pending[pendingHead] as (typeof pending)[number]).visibleAt <= t) {
      counters.add((pending[pendingHead++] as (typeof pending)[number]).event);
    }
    if (pendingHead > 4096) {
      pending.splice(0, pendingHead);
      pendingHead = 0;
    }
    await tick({ app, now: t, counters, releases: releases.filter((r) => r.createdAt <= t) });
  };

  /** Ticks every tick strictly before `time`: what the live detector would have run before this line arrived. */
  const runUntil = async (time: number) => {
    while ((nextTick as number) < time) {
      await tickAt(nextTick as number);
      (nextTick as number) += stepMs;
    }
  };

  const claimedTime = timeReader();
  const size = statSync(opts.input).size;
  let bytesRead = 0;
  const started = Date.now();
  let lineNo = 0;
  let lastVisible = -Infinity;
  let lastReport = started;
  let rejected = 0;
  const reject = (message: string) => {
    rejected++;
    opts.progress(`line ${lineNo}: ${message} (skipped)`);
  };

  for await (const lines of lineChunks(opts.input, (n) => (bytesRead += n))) {
    for (const text of lines) {
      lineNo++;
      const line = text.endsWith('\r') ? text.slice(0, -1) : text;
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
      if (time !== null) {
        nextTick ??= Math.ceil(time / stepMs) * stepMs;
        // Most lines fall between two ticks: no await (and no trip through the microtask queue) for them.
        if (nextTick < time) await runUntil(time);
        if (time > clock.now()) clock.set(time);
      }
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
      // The ingest hot path's validator first (same answers, a fraction of zod's cost); zod only to name what is wrong.
      let e = fastEvent(parsed, clock.now());
      if (e === undefined) {
        const event = eventSchema.safeParse(parsed);
        if (!event.success) {
          reject(event.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
          continue;
        }
        e = event.data;
      }
      if (e.type === 'login') {
        counters.add(e);
        lastVisible = Math.max(lastVisible, e.ts);
      } else {
        pending.push({ visibleAt: e.minute + 60_000, event: e });
        lastVisible = Math.max(lastVisible, e.minute + 60_000);
      }
    }
    const now = Date.now();
    if (now - lastReport >= 1000) {
      lastReport = now;
      const pct = size > 0 ? Math.min(100, (100 * bytesRead) / size) : 100;
      opts.progress(`${pct.toFixed(0)}% ${lineNo} lines ${Math.round(lineNo / ((now - started) / 1000))} lines/s`);
    }
  }
  // The last ticks, up to the moment the last line became visible: beyond it the file says nothing.
  if (Number.isFinite(lastVisible) && nextTick !== null) {
    await runUntil(lastVisible);
    if (nextTick === lastVisible) await tickAt(nextTick);
  }
  return { lines: lineNo, rejected, seconds: (Date.now() - started) / 1000 };
}

/**
 * The backtest: a replay that ticks the live detection path (`evaluateApp`, exactly as the live worker calls it)
 * and applies its signals to in-memory incidents by the live incident service's rule (MemoryIncidentBook).
 */
export async function runBacktest(opts: BacktestOptions): Promise<BacktestIncident[]> {
  const book = new MemoryIncidentBook(replayApp(opts));
  let state: DetectorState | null = null;
  // One app, evaluated every few simulated seconds: its minute series slides rather than being rebuilt.
  const window = new SeriesWindow();
  const { lines, rejected, seconds } = await replay(opts, async ({ app, now, counters, releases }) => {
    const result = await evaluateApp({ counters, settings: opts.settings, window }, { app, now, releases, state });
    state = result.state;
    book.apply(result.signals, now);
  });
  opts.progress(
    `100% ${lines} lines in ${seconds.toFixed(1)} s (${Math.round(lines / Math.max(seconds, 1e-3))} lines/s), ` +
      `${rejected} skipped, ${book.all.length} incident(s)`,
  );
  return book.all.map(toOutput);
}
