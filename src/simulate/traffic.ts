import type { Platform } from '../domain/types';
import { Random } from './random';
import { MINUTE_MS as MINUTE, HOUR_MS as HOUR, DAY_MS as DAY } from '../domain/time';
export { MINUTE, HOUR, DAY };

/**
 * Synthetic login traffic in the wire format `vigil backtest` reads and `POST /v1/events` accepts (login_aggregate,
 * login and release lines, time order), one minute at a time so that weeks of traffic stream without being held in
 * memory. Realistic where a detector could be fooled:
 *   - a daily cycle (quiet nights, evening peak) and lighter weekends;
 *   - per-minute failure rates drawn from a Beta around the normal rate (wider than binomial), plus rare retry
 *     storms: one user failing several times in one minute;
 *   - versions that spread gradually after their release (logistic adoption).
 * Deterministic for a given seed. Options that draw extra randomness (error codes, one line per login) are opt-in, so
 * a spec without them yields the same lines it always did.
 */

export interface VersionSpec {
  version: string;
  /** null: installed before the scenario starts. */
  releasedAt: number | null;
  /** Relative weight once fully adopted. */
  weight: number;
  /** Hours for adoption to go from 10% to 90% of its weight. */
  adoptionHours?: number;
  /** Emit a release line at releasedAt. */
  announce?: boolean;
}

/** A slice selector: every given dimension must match. */
export type Match = Partial<Record<'appVersion' | 'platform' | 'osVersion' | 'region', string>>;

export interface FailureSpec {
  from: number;
  to: number;
  match: Match;
  /** Failure rate of matching cells; a function of time for creeping failures. */
  rate: number | ((t: number) => number);
  /** The error code of the failures above the normal rate (with `TrafficSpec.errorCodes`). */
  errorCode?: string;
}

export interface VolumeSpec {
  from: number;
  to: number;
  match: Match;
  /** Multiplier of the matching cells' attempts. */
  factor: number;
}

export interface TrafficSpec {
  /** Midnight UTC of the first day. */
  start: number;
  days: number;
  /** Logins per minute at the daily peak on a weekday. */
  peakPerMinute: number;
  baseErrorRate?: number;
  /** Beta concentration of the per-minute rate of a cell: smaller is more overdispersed. */
  concentration?: number;
  /** Per-cell-minute probability of a retry storm. */
  burstProbability?: number;
  weekendFactor?: number;
  versions: VersionSpec[];
  failures?: FailureSpec[];
  volume?: VolumeSpec[];
  seed?: number;
  /** Error codes of normal failures with their weights; set, aggregates carry `failuresByErrorCode`. */
  errorCodes?: Array<[string, number]>;
  /**
   * `aggregate` (default): one login_aggregate per slice and minute, as a server-side batcher sends them; `login`:
   * one line per login with its user id and error code, as the mobile SDK sends them.
   */
  format?: 'aggregate' | 'login';
}

export interface ReleaseLine {
  type: 'release';
  appVersion: string;
  platform: Platform;
  releasedAt: string;
}

export interface AggregateLine {
  type: 'login_aggregate';
  minute: string;
  attempts: number;
  failures: number;
  users: number;
  failedUsers: number;
  failuresByErrorCode?: Record<string, number>;
  appVersion: string;
  platform: Platform;
  osVersion: string;
  region: string;
}

export interface LoginLine {
  type: 'login';
  ts: string;
  outcome: 'success' | 'failure';
  errorCode?: string;
  appVersion: string;
  platform: Platform;
  osVersion: string;
  region: string;
  userId: string;
}

export type TrafficLine = ReleaseLine | AggregateLine | LoginLine;

/** The lines of one simulated minute, in time order. */
export interface TrafficMinute {
  at: number;
  lines: TrafficLine[];
}

const PLATFORM_OS: Record<Platform, Array<[string, number]>> = {
  ios: [
    ['17.3', 0.6],
    ['17.4', 0.4],
  ],
  android: [
    ['13', 0.45],
    ['14', 0.55],
  ],
};
const PLATFORMS: Array<[Platform, number]> = [
  ['ios', 0.45],
  ['android', 0.55],
];
const REGIONS: Array<[string, number]> = [
  ['na', 0.45],
  ['eu', 0.35],
  ['apac', 0.2],
];

/** Share of the daily peak at a time of day: 20% at 06:00 UTC, 100% at 18:00, smooth across midnight. */
export function dailyShape(t: number): number {
  const hour = (((t % DAY) + DAY) % DAY) / HOUR;
  return 0.2 + 0.8 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 6)) / 24));
}

function isWeekend(t: number): boolean {
  const day = new Date(t).getUTCDay();
  return day === 0 || day === 6;
}

function adoption(v: VersionSpec, t: number): number {
  if (v.releasedAt === null) return v.weight;
  if (t < v.releasedAt) return 0;
  const hours = (t - v.releasedAt) / HOUR;
  const span = v.adoptionHours ?? 24;
  // Logistic from ~1% at release to 90% of its weight after `span` hours.
  const x = (hours / span) * 9.2 - 4.6;
  return v.weight / (1 + Math.exp(-x));
}

function matches(m: Match, cell: Required<Match>): boolean {
  return (Object.keys(m) as Array<keyof Match>).every((k) => m[k] === cell[k]);
}

/** `n` failures spread over weighted error codes (sequential binomials: a multinomial draw). */
function splitCodes(rnd: Random, n: number, codes: Array<[string, number]>, into: Record<string, number>): void {
  let left = n;
  let weightLeft = codes.reduce((sum, [, w]) => sum + w, 0);
  for (const [code, weight] of codes) {
    if (left === 0) return;
    const k = weight >= weightLeft ? left : rnd.binomial(left, weight / weightLeft);
    if (k > 0) into[code] = (into[code] ?? 0) + k;
    left -= k;
    weightLeft -= weight;
  }
}

/** The number of minutes the spec covers: what a progress bar counts. */
export function trafficMinuteCount(spec: TrafficSpec): number {
  return Math.round((spec.days * DAY) / MINUTE);
}

/** The scenario's lines, one minute at a time; the generator holds nothing but the current minute. */
export function* trafficMinutes(spec: TrafficSpec): Generator<TrafficMinute> {
  const rnd = new Random(spec.seed ?? 1);
  const base = spec.baseErrorRate ?? 0.015;
  const kappa = spec.concentration ?? 150;
  const burst = spec.burstProbability ?? 0.001;
  const codes = spec.errorCodes;
  const perLogin = spec.format === 'login';
  // A pool large enough that two logins of one minute rarely share a user by chance.
  const userPool = Math.max(1000, Math.round(spec.peakPerMinute * 600));
  const releases = spec.versions
    .filter((v) => v.announce && v.releasedAt !== null)
    .map((v) => ({ at: v.releasedAt as number, v }));
  const end = spec.start + spec.days * DAY;
  for (let t = spec.start; t < end; t += MINUTE) {
    const lines: TrafficLine[] = [];
    for (const r of releases) {
      if (r.at === t) {
        for (const [platform] of PLATFORMS) {
          lines.push({ type: 'release', appVersion: r.v.version, platform, releasedAt: new Date(t).toISOString() });
        }
      }
    }
    const logins: LoginLine[] = [];
    const level = spec.peakPerMinute * dailyShape(t) * (isWeekend(t) ? (spec.weekendFactor ?? 0.7) : 1);
    const weights = spec.versions.map((v) => adoption(v, t));
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const minute = new Date(t).toISOString();
    spec.versions.forEach((v, vi) => {
      const vShare = (weights[vi] as number) / totalWeight;
      if (vShare <= 0) return;
      for (const [platform, pShare] of PLATFORMS) {
        for (const [osVersion, oShare] of PLATFORM_OS[platform]) {
          for (const [region, rShare] of REGIONS) {
            const cell = { appVersion: v.version, platform, osVersion, region };
            let expected = level * vShare * pShare * oShare * rShare;
            for (const drop of spec.volume ?? []) {
              if (t >= drop.from && t < drop.to && matches(drop.match, cell)) expected *= drop.factor;
            }
            const attempts = rnd.poisson(expected);
            if (attempts === 0) continue;
            let rate = base;
            let incident: FailureSpec | null = null;
            for (const f of spec.failures ?? []) {
              if (t >= f.from && t < f.to && matches(f.match, cell)) {
                rate = typeof f.rate === 'number' ? f.rate : f.rate(t);
                incident = f;
              }
            }
            const drawn = rnd.beta(rate * kappa, (1 - rate) * kappa);
            let failures = rnd.binomial(attempts, drawn);
            const users = Math.max(1, Math.round(attempts * 0.92));
            let failedUsers = Math.min(users, Math.round(failures * 0.9));
            let storm = 0;
            if (rnd.uniform() < burst) {
              // One user hammering the button: several failures, one failed user.
              storm = 3 + Math.floor(rnd.uniform() * 5);
              failures += storm;
              failedUsers = Math.min(users, failedUsers + 1);
            }
            let byCode: Record<string, number> | undefined;
            if (codes) {
              byCode = {};
              // The failures above the normal rate carry the incident's code; the rest the usual mix.
              const excess = incident?.errorCode && rate > base ? rnd.binomial(failures - storm, (rate - base) / rate) : 0;
              if (excess > 0) byCode[incident?.errorCode as string] = excess;
              splitCodes(rnd, failures - excess, codes, byCode);
            }
            const total = attempts + (failures > attempts ? failures - attempts : 0);
            if (perLogin) {
              logins.push(...loginsOf(rnd, t, cell, total, failures, storm, byCode, userPool));
              continue;
            }
            lines.push({
              type: 'login_aggregate',
              minute,
              attempts: total,
              failures,
              users,
              failedUsers,
              ...(byCode ? { failuresByErrorCode: byCode } : {}),
              ...cell,
            });
          }
        }
      }
    });
    if (logins.length > 0) {
      logins.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      lines.push(...logins);
    }
    yield { at: t, lines };
  }
}

/**
 * One cell-minute as single logins at random seconds of the minute: one user per login, except a retry storm's
 * failures, which all come from one user.
 */
function loginsOf(
  rnd: Random,
  t: number,
  cell: { appVersion: string; platform: Platform; osVersion: string; region: string },
  attempts: number,
  failures: number,
  storm: number,
  byCode: Record<string, number> | undefined,
  userPool: number,
): LoginLine[] {
  const codes = Object.entries(byCode ?? {}).flatMap(([code, n]) => Array<string>(n).fill(code));
  const stormUser = `u${rnd.int(0, userPool - 1).toString(36)}`;
  const out: LoginLine[] = [];
  for (let i = 0; i < attempts; i++) {
    const failed = i < failures;
    const code = failed ? codes[i] : undefined;
    out.push({
      type: 'login',
      ts: new Date(t + Math.floor(rnd.uniform() * MINUTE)).toISOString(),
      outcome: failed ? 'failure' : 'success',
      ...(code ? { errorCode: code } : {}),
      ...cell,
      userId: failed && i < storm ? stormUser : `u${rnd.int(0, userPool - 1).toString(36)}`,
    });
  }
  return out;
}
