import type { DetectorSettings } from '../../src/domain/detector/settings';
import { DAY, HOUR, MINUTE, quietWeek, runStress, type StressIncident, type StressSpec, type StressVersion } from './stress-harness';

/** Incident scenarios for the stress harness: what the held-out files may hold, on harder traffic. */

/** Monday 2024-05-06, 00:00 UTC. */
export const MON = Date.UTC(2024, 4, 6);
/** Incidents happen on day 3 (Wednesday); days 1-2 are history. */
export const DAY3 = MON + 2 * DAY;
const at = (hh: number, mm = 0) => DAY3 + hh * HOUR + mm * MINUTE;

const INSTALLED: StressVersion[] = [
  { version: '5.0.3', releasedAt: null, weight: 0.15, errorRate: 0.022 },
  { version: '5.1.0', releasedAt: null, weight: 0.85 },
];

export interface Scenario {
  name: string;
  onset: number;
  end: number;
  kind: StressIncident['kind'];
  /** Expected culprit as `dimension=value`, or null (no single slice). */
  cause: string | null;
  /** Expected release of an appVersion culprit. */
  release?: number;
  maxLatencyMinutes: number;
  /** How far startedAt may be from the onset; a creep has no sharp onset, so its bound is wider. Default 10. */
  maxStartErrorMinutes?: number;
  spec: Omit<StressSpec, 'start' | 'days' | 'seed'>;
}

const badRelease = at(14);
export const SCENARIOS: Scenario[] = [
  {
    name: 'bad release at 1.5 %',
    onset: badRelease,
    end: at(18),
    kind: 'error_rate',
    cause: 'appVersion=5.3.0',
    release: badRelease,
    maxLatencyMinutes: 30,
    spec: {
      peakPerMinute: 300,
      versions: [...INSTALLED, { version: '5.3.0', releasedAt: badRelease, weight: 1, rollout: () => 0.015 }],
      overlays: [{ from: badRelease, to: at(18), match: { appVersion: '5.3.0' }, rate: 0.6 }],
    },
  },
  {
    name: 'region outage',
    onset: at(10),
    end: at(11),
    kind: 'error_rate',
    cause: 'region=eu',
    maxLatencyMinutes: 5,
    spec: { peakPerMinute: 200, versions: INSTALLED, overlays: [{ from: at(10), to: at(11), match: { region: 'eu' }, rate: 0.35 }] },
  },
  {
    name: 'OS-specific failure',
    onset: at(15),
    end: at(16, 30),
    kind: 'error_rate',
    cause: 'osVersion=14',
    maxLatencyMinutes: 5,
    spec: { peakPerMinute: 200, versions: INSTALLED, overlays: [{ from: at(15), to: at(16, 30), match: { osVersion: '14' }, rate: 0.5 }] },
  },
  {
    name: 'backend outage',
    onset: at(11, 30),
    end: at(12),
    kind: 'error_rate',
    cause: null,
    maxLatencyMinutes: 3,
    spec: { peakPerMinute: 200, versions: INSTALLED, overlays: [{ from: at(11, 30), to: at(12), match: {}, rate: 0.4 }] },
  },
  {
    name: 'backend outage, 20/min app',
    onset: at(17),
    end: at(17, 45),
    kind: 'error_rate',
    cause: null,
    maxLatencyMinutes: 10,
    spec: { peakPerMinute: 20, versions: INSTALLED, overlays: [{ from: at(17), to: at(17, 45), match: {}, rate: 0.4 }] },
  },
  {
    name: 'volume drop',
    onset: at(13),
    end: at(14),
    kind: 'volume_drop',
    cause: null,
    maxLatencyMinutes: 10,
    spec: { peakPerMinute: 200, versions: INSTALLED, overlays: [{ from: at(13), to: at(14), match: {}, volume: 0.15 }] },
  },
  {
    name: 'creep 1.5→11.5 % in 3 h',
    onset: at(9),
    end: at(13),
    kind: 'error_rate',
    cause: null,
    maxLatencyMinutes: 120,
    maxStartErrorMinutes: 45,
    spec: {
      peakPerMinute: 200,
      versions: INSTALLED,
      overlays: [{ from: at(9), to: at(13), match: {}, rate: (t) => 0.015 + 0.1 * Math.min(1, (t - at(9)) / (3 * HOUR)) }],
    },
  },
  {
    name: 'flapping',
    onset: at(10),
    end: at(11, 54),
    kind: 'error_rate',
    cause: null,
    maxLatencyMinutes: 10,
    spec: {
      peakPerMinute: 200,
      versions: INSTALLED,
      overlays: Array.from({ length: 12 }, (_, k) => ({ from: at(10, k * 10), to: at(10, k * 10 + 4), match: {}, rate: 0.3 })),
    },
  },
  {
    name: 'version crashes before login',
    onset: at(14),
    end: at(16),
    kind: 'volume_drop',
    cause: 'appVersion=5.2.0',
    maxLatencyMinutes: 15,
    spec: {
      peakPerMinute: 200,
      versions: [...INSTALLED, { version: '5.2.0', releasedAt: MON + 10 * HOUR, weight: 0.5, adoptionHours: 24 }],
      overlays: [{ from: at(14), to: at(16), match: { appVersion: '5.2.0' }, volume: 0.03 }],
    },
  },
];


const minutes = (ms: number) => Math.round(ms / MINUTE);
const causeOf = (i: StressIncident) => (i.cause ? `${i.cause.dimension}=${i.cause.value}` : null);

export const SCENARIO_HEADERS = ['scenario', 'latency min', 'start err min', 'culprit', 'release', 'resolve err min', 'other'];

/** Runs one scenario (days 1-2 history, evaluated on day 3): its table row and what falls short of expectations. */
export async function runScenario(
  s: Scenario,
  seed: number,
  settings: DetectorSettings,
): Promise<{ row: Array<string | number | null>; failures: string[] }> {
  const incidents = await runStress({ ...s.spec, start: MON, days: 3, seed, evaluateFrom: DAY3 }, settings);
  const hit = incidents.find((i) => i.kind === s.kind && i.detectedAt >= s.onset && i.detectedAt <= s.end + 10 * MINUTE);
  const others = incidents.filter((i) => i !== hit);
  const failures: string[] = [];
  if (!hit) failures.push(`${s.name}: not caught`);
  else {
    const latency = minutes(hit.detectedAt - s.onset);
    if (latency > s.maxLatencyMinutes) failures.push(`${s.name}: latency ${latency} min > ${s.maxLatencyMinutes}`);
    if (causeOf(hit) !== s.cause) failures.push(`${s.name}: culprit ${causeOf(hit)}, expected ${s.cause}`);
    if (s.release !== undefined && hit.cause?.release?.releasedAt !== s.release) failures.push(`${s.name}: release not linked`);
    const startError = minutes(hit.startedAt - s.onset);
    const maxStartError = s.maxStartErrorMinutes ?? 10;
    if (Math.abs(startError) > maxStartError) failures.push(`${s.name}: startedAt ${startError} min off > ${maxStartError}`);
  }
  for (const o of others) failures.push(`${s.name}: other ${o.kind} at ${new Date(o.detectedAt).toISOString()} (${o.firstCause})`);
  const row = [
    s.name,
    hit ? minutes(hit.detectedAt - s.onset) : null,
    hit ? minutes(hit.startedAt - s.onset) : null,
    hit ? (causeOf(hit) ?? 'null') : '-',
    hit?.cause?.release ? `${minutes(hit.cause.release.releasedAt - s.onset)} min` : '-',
    hit?.resolvedAt ? minutes(hit.resolvedAt - s.end) : '-',
    others.length,
  ];
  return { row, failures };
}

/** Quiet weeks at one traffic level (a different seed and release schedule each): the incidents they opened. */
export async function runQuietWeeks(level: number, weeks: number, settings: DetectorSettings): Promise<string[]> {
  const found: string[] = [];
  for (let w = 0; w < weeks; w++) {
    const seed = 1000 * level + w + 1;
    for (const i of await runStress(quietWeek(MON + w * 7 * DAY, level, seed), settings)) {
      found.push(`${level}/min seed ${seed}: ${i.kind} ${new Date(i.detectedAt).toISOString()} focus ${i.firstCause}`);
    }
  }
  return found;
}
