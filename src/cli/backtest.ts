import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { ManualClock } from '../clock';
import { MemoryCounters } from '../counters/memory';
import { evaluateApp } from '../detection/runner';
import type { DetectorState } from '../domain/detector/detector';
import type { DetectorSettings } from '../domain/detector/settings';
import type { Signal } from '../domain/detector/signals';
import { canTransition, newIncidentFrom, patchFrom, reopenEntry, resolveEntry } from '../domain/incident-machine';
import { PLATFORMS, type Incident, type Release, type TelemetryEvent } from '../domain/types';
import { newId } from '../ids';
import { createEventSchema, SliceValue } from '../ingest/event-schema';

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
  out: (line: string) => void;
  progress: (msg: string) => void;
}

type Record_ = Omit<Incident, 'updatedAt' | 'version' | 'publicMessage'>;

const iso = (ms: number) => new Date(ms).toISOString();

function toOutput(r: Record_): BacktestIncident {
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

/** The incident records the signals describe, kept with the same pure state machine the live incident service uses. */
class IncidentBook {
  readonly all: Record_[] = [];
  private readonly current = new Map<string, Record_>();

  constructor(private readonly app: string) {}

  apply(signal: Signal): void {
    const { finding, at } = signal;
    const incident = this.current.get(finding.fingerprint);
    switch (signal.type) {
      case 'open': {
        const opened: Record_ = {
          id: newId('inc', at),
          ...newIncidentFrom(this.app, finding, at),
          status: 'open',
          acknowledgedAt: null,
          resolvedAt: null,
        };
        this.all.push(opened);
        this.current.set(finding.fingerprint, opened);
        return;
      }
      case 'update':
        if (incident && incident.status !== 'resolved') Object.assign(incident, patchFrom(finding));
        return;
      case 'resolve':
        if (incident && canTransition(incident.status, 'resolved')) {
          Object.assign(incident, patchFrom(finding), { status: 'resolved', resolvedAt: at });
          incident.timeline.push(resolveEntry(at));
        }
        return;
      case 'reopen':
        if (incident && canTransition(incident.status, 'open')) {
          Object.assign(incident, patchFrom(finding), { status: 'open', resolvedAt: null });
          incident.timeline.push(reopenEntry(finding, at));
        }
        return;
    }
  }
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
 * incidents. An aggregate of minute m becomes visible at m + 60 s (when it is complete), raw logins at their ts.
 */
export async function runBacktest(opts: BacktestOptions): Promise<BacktestIncident[]> {
  const app = opts.app ?? defaultAppName(opts.input);
  const stepMs = Math.round(opts.everySeconds * 1000);
  const counters = new MemoryCounters(app);
  const book = new IncidentBook(app);
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
    for (const signal of result.signals) book.apply(signal);
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
  const incidents = book.all.map(toOutput);
  for (const incident of incidents) opts.out(JSON.stringify(incident));
  return incidents;
}
