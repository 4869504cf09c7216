import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { LoginAggregate } from '../../src/domain/types';
import { Random } from './random';

/**
 * Synthetic login traffic in the scenario format (login_aggregate and release lines, time order), for held-out
 * style scenarios the three example files do not cover. Realistic where the detector could be fooled:
 *   - a daily cycle (quiet nights, evening peak) and lighter weekends;
 *   - per-minute failure rates drawn from a Beta around the normal rate (wider than binomial), plus rare retry
 *     storms: one user failing several times in one minute;
 *   - versions that spread gradually after their release (logistic adoption).
 * Deterministic for a given seed.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

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
}

const PLATFORM_OS: Record<string, Array<[string, number]>> = {
  ios: [
    ['17.3', 0.6],
    ['17.4', 0.4],
  ],
  android: [
    ['13', 0.45],
    ['14', 0.55],
  ],
};
const PLATFORMS: Array<[string, number]> = [
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

/** The scenario's NDJSON lines. */
export function generateTraffic(spec: TrafficSpec): string[] {
  const rnd = new Random(spec.seed ?? 1);
  const base = spec.baseErrorRate ?? 0.015;
  const kappa = spec.concentration ?? 150;
  const burst = spec.burstProbability ?? 0.001;
  const lines: string[] = [];
  const releases = spec.versions
    .filter((v) => v.announce && v.releasedAt !== null)
    .map((v) => ({ at: v.releasedAt as number, v }));
  const end = spec.start + spec.days * DAY;
  for (let t = spec.start; t < end; t += MINUTE) {
    for (const r of releases) {
      if (r.at === t) {
        for (const [platform] of PLATFORMS) {
          lines.push(JSON.stringify({ type: 'release', appVersion: r.v.version, platform, releasedAt: new Date(t).toISOString() }));
        }
      }
    }
    const level = spec.peakPerMinute * dailyShape(t) * (isWeekend(t) ? (spec.weekendFactor ?? 0.7) : 1);
    const weights = spec.versions.map((v) => adoption(v, t));
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const minute = new Date(t).toISOString();
    spec.versions.forEach((v, vi) => {
      const vShare = (weights[vi] as number) / totalWeight;
      if (vShare <= 0) return;
      for (const [platform, pShare] of PLATFORMS) {
        for (const [osVersion, oShare] of PLATFORM_OS[platform] as Array<[string, number]>) {
          for (const [region, rShare] of REGIONS) {
            const cell = { appVersion: v.version, platform, osVersion, region };
            let expected = level * vShare * pShare * oShare * rShare;
            for (const drop of spec.volume ?? []) {
              if (t >= drop.from && t < drop.to && matches(drop.match, cell)) expected *= drop.factor;
            }
            const attempts = rnd.poisson(expected);
            if (attempts === 0) continue;
            let rate = base;
            for (const f of spec.failures ?? []) {
              if (t >= f.from && t < f.to && matches(f.match, cell)) rate = typeof f.rate === 'number' ? f.rate : f.rate(t);
            }
            const drawn = rnd.beta(rate * kappa, (1 - rate) * kappa);
            let failures = rnd.binomial(attempts, drawn);
            const users = Math.max(1, Math.round(attempts * 0.92));
            let failedUsers = Math.min(users, Math.round(failures * 0.9));
            if (rnd.uniform() < burst) {
              // One user hammering the button: several failures, one failed user.
              const storm = 3 + Math.floor(rnd.uniform() * 5);
              failures += storm;
              failedUsers = Math.min(users, failedUsers + 1);
            }
            lines.push(
              JSON.stringify({
                type: 'login_aggregate',
                minute,
                attempts: attempts + (failures > attempts ? failures - attempts : 0),
                failures,
                users,
                failedUsers,
                ...cell,
              }),
            );
          }
        }
      }
    });
  }
  return lines;
}

/** Writes the scenario gzipped (as the example files are) and returns its path. */
export function writeTraffic(file: string, spec: TrafficSpec): string {
  writeFileSync(file, gzipSync(generateTraffic(spec).join('\n') + '\n'));
  return file;
}

/** One literal minute of one slice, for unit tests that spell their traffic out. */
export function aggregate(
  minute: number,
  attempts: number,
  failures: number,
  cell: Match = {},
): LoginAggregate {
  return {
    type: 'login_aggregate',
    minute,
    attempts,
    failures,
    users: attempts,
    failedUsers: failures,
    appVersion: cell.appVersion ?? '5.1.0',
    platform: cell.platform === 'android' ? 'android' : 'ios',
    ...(cell.osVersion ? { osVersion: cell.osVersion } : {}),
    region: cell.region ?? 'eu',
  };
}
