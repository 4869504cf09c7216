import { MemoryCounters } from '../../src/counters/memory';
import { evaluateApp } from '../../src/detection/runner';
import type { DetectorState } from '../../src/domain/detector/detector';
import type { DetectorSettings } from '../../src/domain/detector/settings';
import type { Finding } from '../../src/domain/detector/signals';
import type { LoginAggregate, Platform, Release } from '../../src/domain/types';
import { Random } from '../../src/simulate/random';

/**
 * Stress harness: the detector, through the same `evaluateApp` the live worker and the backtest call, on simulated
 * traffic that is harder than the example files, fed straight into in-memory counters (no files, no JSON) and
 * evaluated once per closed minute, so that weeks of traffic run in seconds.
 *
 * The traffic is meant to fool a detector:
 *   - daily cycle (nights at 15 % of the afternoon peak), weekends at 60 % (eased in over three hours), a common
 *     per-minute traffic factor of ±10 %;
 *   - per-cell failure rates that differ by slice (old versions, an OS, a region fail a bit more) and are drawn per
 *     minute from a Beta (overdispersed);
 *   - retry storms: one user failing 5–20 times in one minute (failures ≫ failedUsers in the aggregate);
 *   - single-minute bursts: the whole app fails several times its normal rate for one minute;
 *   - healthy staged releases of new app versions (at any hour, announced) and new OS versions, spreading over a
 *     day or more and taking users from the older ones.
 * Incidents are overlays on the same traffic. Deterministic for a given seed.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export interface Cell {
  appVersion: string;
  platform: Platform;
  osVersion: string;
  region: string;
}
export type CellMatch = Partial<Cell>;

export interface StressVersion {
  version: string;
  /** null: installed before the run starts. */
  releasedAt: number | null;
  /** Relative weight once fully adopted. */
  weight: number;
  /** Hours from 10 % to 90 % of its weight. */
  adoptionHours?: number;
  /** Staged roll-out: the fraction of its platforms' traffic the version holds at t (overrides weight/adoption). */
  rollout?: (t: number) => number;
  /** Shipped on one platform only (its release names it); else on both. */
  platform?: Platform;
  /** Its own normal failure rate (else the app's). */
  errorRate?: number;
}

export interface StressOs {
  platform: Platform;
  osVersion: string;
  releasedAt: number | null;
  weight: number;
  adoptionHours?: number;
  errorRate?: number;
}

export interface StressOverlay {
  from: number;
  to: number;
  match: CellMatch;
  /** Failure rate of matching cells (a function of time for creeping failures). */
  rate?: number | ((t: number) => number);
  /** Multiplier of matching cells' own normal failure rate (a creep that keeps each cell's character). */
  rateFactor?: (t: number) => number;
  /** Multiplier of matching cells' attempts (volume drops, crashes before login). */
  volume?: number;
}

export interface StressSpec {
  start: number;
  days: number;
  peakPerMinute: number;
  seed: number;
  baseErrorRate?: number;
  /** Beta concentration of a cell's per-minute rate: smaller is more overdispersed. */
  concentration?: number;
  /** Per-attempt chance that a login starts a retry storm (plus 0.1 % per active cell-minute, capped at 5 %). */
  stormPerAttempt?: number;
  /** Per-minute chance of a one-minute app-wide burst. */
  burstPerMinute?: number;
  weekendFactor?: number;
  versions: StressVersion[];
  os?: StressOs[];
  overlays?: StressOverlay[];
  /** Evaluate from here (earlier minutes only fill the history); default: the start. */
  evaluateFrom?: number;
}

const REGIONS: Array<[string, number, number]> = [
  // name, share, rate multiplier
  ['na', 0.45, 1],
  ['eu', 0.35, 0.9],
  ['apac', 0.2, 1.4],
];
const PLATFORMS: Array<[Platform, number]> = [
  ['ios', 0.45],
  ['android', 0.55],
];

export const DEFAULT_OS: StressOs[] = [
  { platform: 'ios', osVersion: '17.3', releasedAt: null, weight: 0.6 },
  { platform: 'ios', osVersion: '17.4', releasedAt: null, weight: 0.4 },
  { platform: 'android', osVersion: '13', releasedAt: null, weight: 0.45, errorRate: 0.025 },
  { platform: 'android', osVersion: '14', releasedAt: null, weight: 0.55 },
];

/** Share of the daily peak: 15 % at 04:00 UTC, 100 % at 16:00, smooth across midnight. */
export function dailyShape(t: number): number {
  const hour = (((t % DAY) + DAY) % DAY) / HOUR;
  return 0.15 + 0.85 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 4)) / 24));
}

function isWeekend(t: number): boolean {
  const day = new Date(t).getUTCDay();
  return day === 0 || day === 6;
}

/**
 * The weekend's traffic factor at t. It eases in and out over the first three hours of Saturday and of Monday (UTC):
 * an app's users live in several time zones, so a whole-app weekend does not begin at one instant. (A hard step of
 * 30-40 % at midnight can still look like a volume drop to the detector: see the report of this harness.)
 */
function weekendFactor(t: number, factor: number): number {
  const into = (((t % DAY) + DAY) % DAY) / (3 * HOUR);
  const weekend = isWeekend(t);
  const wasWeekend = isWeekend(t - DAY);
  if (into >= 1 || weekend === wasWeekend) return weekend ? factor : 1;
  const from = wasWeekend ? factor : 1;
  const to = weekend ? factor : 1;
  return from + (to - from) * into;
}

function adoption(weight: number, releasedAt: number | null, hoursSpan: number | undefined, t: number): number {
  if (releasedAt === null) return weight;
  if (t < releasedAt) return 0;
  const x = (((t - releasedAt) / HOUR) / (hoursSpan ?? 24)) * 9.2 - 4.6;
  return weight / (1 + Math.exp(-x));
}

function matches(m: CellMatch, cell: Cell): boolean {
  for (const k in m) if (m[k as keyof Cell] !== cell[k as keyof Cell]) return false;
  return true;
}

function versionShares(versions: readonly StressVersion[], t: number): number[] {
  const fixed = versions.map((v) => (v.rollout && v.releasedAt !== null && t >= v.releasedAt ? v.rollout(t) : v.rollout ? 0 : null));
  const fixedTotal = fixed.reduce<number>((a, f) => a + (f ?? 0), 0);
  const weights = versions.map((v, i) => (fixed[i] === null ? adoption(v.weight, v.releasedAt, v.adoptionHours, t) : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  return versions.map((_, i) => fixed[i] ?? ((weights[i] as number) / (total || 1)) * (1 - fixedTotal));
}

/** Each version's share of one platform's traffic at t: the versions shipped on it share it. */
function platformShares(versions: readonly StressVersion[], platform: Platform, t: number): Map<StressVersion, number> {
  const shipped = versions.filter((v) => !v.platform || v.platform === platform);
  const shares = versionShares(shipped, t);
  return new Map(shipped.map((v, i) => [v, shares[i] as number]));
}

/** The simulated minutes as login_aggregate events, one callback per minute (with its releases). */
export function simulate(
  spec: StressSpec,
  onMinute: (t: number, events: LoginAggregate[], releases: Release[]) => void,
): void {
  const rnd = new Random(spec.seed);
  const base = spec.baseErrorRate ?? 0.015;
  const kappa = spec.concentration ?? 60;
  const stormPerAttempt = spec.stormPerAttempt ?? 0.0005;
  const burstPerMinute = spec.burstPerMinute ?? 0.003;
  const osList = spec.os ?? DEFAULT_OS;
  const end = spec.start + spec.days * DAY;
  const announced = new Set<string>();
  for (let t = spec.start; t < end; t += MINUTE) {
    const releases: Release[] = [];
    for (const v of spec.versions) {
      if (v.releasedAt !== null && v.releasedAt <= t && !announced.has(v.version)) {
        announced.add(v.version);
        releases.push({
          id: `rel_${v.version}`,
          app: 'stress',
          appVersion: v.version,
          platform: v.platform ?? null,
          releasedAt: v.releasedAt,
          rolloutPercent: null,
          notes: null,
          createdAt: v.releasedAt,
        });
      }
    }
    // A common factor per minute: traffic itself is a little wider than Poisson.
    const level = spec.peakPerMinute * dailyShape(t) * weekendFactor(t, spec.weekendFactor ?? 0.6) * (0.9 + 0.2 * rnd.uniform());
    const vShares = new Map(PLATFORMS.map(([p]) => [p, platformShares(spec.versions, p, t)]));
    const burst = rnd.uniform() < burstPerMinute ? 4 + 6 * rnd.uniform() : 1;
    const events: LoginAggregate[] = [];
    for (const [platform, pShare] of PLATFORMS) {
      const oses = osList.filter((o) => o.platform === platform);
      const oWeights = oses.map((o) => adoption(o.weight, o.releasedAt, o.adoptionHours, t));
      const oTotal = oWeights.reduce((a, b) => a + b, 0);
      oses.forEach((os, oi) => {
        const oShare = (oWeights[oi] as number) / oTotal;
        if (oShare <= 0) return;
        spec.versions.forEach((v) => {
          const vShare = vShares.get(platform)?.get(v) ?? 0;
          if (vShare <= 0) return;
          for (const [region, rShare, rMult] of REGIONS) {
            const cell: Cell = { appVersion: v.version, platform, osVersion: os.osVersion, region };
            let expected = level * vShare * pShare * oShare * rShare;
            let rate = (v.errorRate ?? os.errorRate ?? base) * rMult;
            for (const o of spec.overlays ?? []) {
              if (t < o.from || t >= o.to || !matches(o.match, cell)) continue;
              if (o.volume !== undefined) expected *= o.volume;
              if (o.rate !== undefined) rate = typeof o.rate === 'number' ? o.rate : o.rate(t);
              if (o.rateFactor !== undefined) rate *= o.rateFactor(t);
            }
            const attempts = rnd.poisson(expected);
            if (attempts === 0) continue;
            rate = Math.min(0.95, rate * burst);
            let failures = rnd.binomial(attempts, rnd.beta(rate * kappa, (1 - rate) * kappa));
            let users = Math.max(1, Math.round(attempts * (0.9 + 0.08 * rnd.uniform())));
            let failedUsers = Math.min(users, Math.max(failures > 0 ? 1 : 0, Math.round(failures * 0.9)));
            let extra = 0;
            if (rnd.uniform() < Math.min(0.05, 0.001 + stormPerAttempt * attempts)) {
              // One user hammering the button: 5–20 failures, one failed user.
              extra = rnd.int(5, 20);
              failures += extra;
              failedUsers = Math.min(users, failedUsers + 1);
            }
            users = Math.max(users, failedUsers);
            events.push({ type: 'login_aggregate', minute: t, attempts: attempts + extra, failures, users, failedUsers, ...cell });
          }
        });
      });
    }
    onMinute(t, events, releases);
  }
}

export interface StressIncident {
  kind: Finding['kind'];
  /** When it first opened. */
  detectedAt: number;
  startedAt: number;
  /** The cause of the latest finding. */
  cause: Finding['suspectedCause'];
  resolvedAt: number | null;
  reopens: number;
  /** Slice (or `*`) the detector watched, as `dimension=value` of the first cause, for false-alarm forensics. */
  firstCause: string;
}

/** Runs the detector once per closed minute over the simulated traffic; returns the incidents it opened. */
export async function runStress(spec: StressSpec, settings: DetectorSettings): Promise<StressIncident[]> {
  const counters = new MemoryCounters('stress');
  const releases: Release[] = [];
  let state: DetectorState | null = null;
  const incidents: StressIncident[] = [];
  const current = new Map<string, StressIncident>();
  const minutes: Array<{ t: number; events: LoginAggregate[]; releases: Release[] }> = [];
  simulate(spec, (t, events, rel) => minutes.push({ t, events, releases: rel }));
  const evaluateFrom = spec.evaluateFrom ?? spec.start;
  for (const m of minutes) {
    for (const e of m.events) counters.add(e);
    releases.push(...m.releases);
    const now = m.t + MINUTE;
    if (now <= evaluateFrom) continue;
    const result = await evaluateApp({ counters, settings }, { app: 'stress', now, releases, state });
    state = result.state;
    for (const s of result.signals) {
      const f = s.finding;
      const open = current.get(f.fingerprint);
      if (s.type === 'open') {
        const c = f.suspectedCause;
        const incident: StressIncident = {
          kind: f.kind,
          detectedAt: s.at,
          startedAt: f.startedAt,
          cause: c,
          resolvedAt: null,
          reopens: 0,
          firstCause: c ? `${c.dimension}=${c.value}` : '*',
        };
        incidents.push(incident);
        current.set(f.fingerprint, incident);
      } else if (open) {
        open.cause = f.suspectedCause;
        open.startedAt = f.startedAt;
        if (s.type === 'resolve') open.resolvedAt = s.at;
        if (s.type === 'reopen') {
          open.reopens++;
          open.resolvedAt = null;
        }
      }
    }
  }
  return incidents;
}

/**
 * A week of healthy life of an app: new versions at any hour (on both platforms, or one platform's fast hotfix taking
 * most of its users within an hour or two, or a staged roll-out of a percent of traffic), a new OS version spreading,
 * nothing wrong.
 */
export function quietWeek(start: number, peakPerMinute: number, seed: number, days = 7): StressSpec {
  const rnd = new Random(seed * 7919);
  const releaseAt = (day: number) => start + day * DAY + rnd.int(0, 23) * HOUR + rnd.int(0, 59) * MINUTE;
  const versions: StressVersion[] = [
    { version: '5.0.3', releasedAt: null, weight: 0.15, errorRate: 0.022 },
    { version: '5.1.0', releasedAt: null, weight: 0.85 },
    { version: '5.2.0', releasedAt: releaseAt(1), weight: 2, adoptionHours: 24 + rnd.int(0, 48) },
    // A staged roll-out of the next one: a percent or two of traffic for a day, then general availability.
    {
      version: '5.3.0',
      releasedAt: releaseAt(4),
      weight: 1,
      rollout: (t) => Math.min(0.6, 0.015 + Math.max(0, (t - (start + 5 * DAY)) / (2 * DAY)) * 0.6),
    },
  ];
  const os: StressOs[] = [
    ...DEFAULT_OS,
    { platform: 'ios', osVersion: '17.5', releasedAt: releaseAt(2), weight: 0.8, adoptionHours: 72 },
    { platform: 'android', osVersion: '15', releasedAt: releaseAt(3), weight: 0.3, adoptionHours: 96, errorRate: 0.02 },
  ];
  // Drawn after the ones above, so that their release times stay what they were.
  const hotfix = releaseAt(5);
  const staged = releaseAt(6);
  versions.push(
    // One platform's hotfix, taking most of its users within an hour or two.
    { version: '5.3.1', releasedAt: hotfix, weight: 3, adoptionHours: 1 + rnd.uniform(), platform: rnd.uniform() < 0.5 ? 'ios' : 'android' },
    // A staged roll-out starting at 0.2 % of traffic, 1 % after a quarter of an hour.
    { version: '5.4.0', releasedAt: staged, weight: 1, rollout: (t) => 0.002 + 0.008 * Math.min(1, (t - staged) / (15 * MINUTE)) },
  );
  return { start, days, peakPerMinute, seed, versions, os };
}

const fmt = (n: number | null) => (n === null || Number.isNaN(n) ? '-' : String(n));

/** A compact fixed-width table for console.log. */
export function table(headers: string[], rows: Array<Array<string | number | null>>): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : (c ?? '-'))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
