import path from 'node:path';
import { runBacktest, type BacktestIncident } from '../../src/detection/backtest';
import { loadDetectorSettings } from '../../src/detection/settings-file';
import { SCENARIO_TIMEOUT_MS } from '../support/scenario-backtest';
import { DAY, HOUR, MINUTE, writeTraffic, type TrafficSpec, type VersionSpec } from '../support/synthetic-traffic';
import { makeTempDir } from '../support/tmp';

/**
 * Held-out style scenarios built from the synthetic generator, through the real backtest path. Day 1 and 2 are
 * history; what happens, happens on day 3. Figures are printed so they can be quoted.
 */

// Days of traffic replayed every 10 simulated seconds: minutes on a shared machine, not jest's 30 s.
jest.setTimeout(SCENARIO_TIMEOUT_MS);

const settings = loadDetectorSettings();
const tmp = makeTempDir('backtest-synthetic');
afterAll(() => tmp.remove());

/** Wednesday 2024-05-08, 00:00 UTC. */
const WED = Date.UTC(2024, 4, 8);
const DAY3 = WED + 2 * DAY;
const at = (day: number, hh: number, mm = 0) => day + hh * HOUR + mm * MINUTE;

const INSTALLED: VersionSpec[] = [
  { version: '5.1.0', releasedAt: null, weight: 0.8 },
  { version: '5.0.3', releasedAt: null, weight: 0.2 },
];

async function backtest(name: string, spec: TrafficSpec): Promise<BacktestIncident[]> {
  const file = writeTraffic(path.join(tmp.dir, `${name}.ndjson.gz`), spec);
  return runBacktest({ input: file, app: name, settings, everySeconds: 10, progress: () => {} });
}

const ms = (iso: string | null) => (iso === null ? NaN : Date.parse(iso));
const minutesBetween = (a: number, b: number) => Math.round((b - a) / MINUTE);

function report(name: string, incidents: BacktestIncident[], onset?: number, end?: number): void {
  const lines = incidents.map((i) => {
    const parts = [`${i.kind} ${i.severity}`, `cause=${i.suspectedCause ? `${i.suspectedCause.dimension}=${i.suspectedCause.value}` : 'null'}`];
    if (onset !== undefined) {
      parts.push(`latency=${minutesBetween(onset, ms(i.detectedAt))}min`, `startErr=${minutesBetween(onset, ms(i.startedAt))}min`);
    }
    if (end !== undefined) parts.push(`resolveErr=${i.resolvedAt ? `${minutesBetween(end, ms(i.resolvedAt))}min` : 'open'}`);
    return parts.join(' ');
  });
  console.log(`[synthetic] ${name}: ${incidents.length} incident(s)${lines.length ? `\n  ${lines.join('\n  ')}` : ''}`);
}

describe('backtest on synthetic held-out style scenarios', () => {
  it('a low-traffic app with a healthy release: no page, not even at night', async () => {
    const incidents = await backtest('low-traffic', {
      start: WED,
      days: 3,
      peakPerMinute: 6,
      versions: [...INSTALLED, { version: '5.3.0', releasedAt: at(WED + DAY, 6), weight: 1, adoptionHours: 24, announce: true }],
      seed: 11,
    });
    report('low-traffic', incidents);
    expect(incidents).toEqual([]);
  });

  it('a regional failure: one incident blaming the region, found within minutes', async () => {
    const onset = at(DAY3, 10);
    const end = at(DAY3, 11);
    const incidents = await backtest('regional', {
      start: WED,
      days: 3,
      peakPerMinute: 120,
      versions: INSTALLED,
      failures: [{ from: onset, to: end, match: { region: 'eu' }, rate: 0.35 }],
      seed: 12,
    });
    report('regional', incidents, onset, end);
    expect(incidents).toHaveLength(1);
    const [i] = incidents as [BacktestIncident];
    expect(i.suspectedCause).toMatchObject({ dimension: 'region', value: 'eu' });
    expect(ms(i.detectedAt) - onset).toBeLessThanOrEqual(5 * MINUTE);
    expect(Math.abs(ms(i.startedAt) - onset)).toBeLessThanOrEqual(3 * MINUTE);
    expect(Math.abs(ms(i.resolvedAt) - end)).toBeLessThanOrEqual(5 * MINUTE);
  });

  it('an OS-specific failure: the OS version is named', async () => {
    const onset = at(DAY3, 15);
    const end = at(DAY3, 16, 30);
    const incidents = await backtest('os-specific', {
      start: WED,
      days: 3,
      peakPerMinute: 120,
      versions: INSTALLED,
      failures: [{ from: onset, to: end, match: { osVersion: '14' }, rate: 0.5 }],
      seed: 13,
    });
    report('os-specific', incidents, onset, end);
    expect(incidents).toHaveLength(1);
    const [i] = incidents as [BacktestIncident];
    expect(i.suspectedCause).toMatchObject({ dimension: 'osVersion', value: '14' });
    expect(ms(i.detectedAt) - onset).toBeLessThanOrEqual(5 * MINUTE);
  });

  it('a volume drop on a Sunday: one volume_drop, and no page for the lighter weekend or the nights', async () => {
    const friday = WED + 2 * DAY;
    const sunday = friday + 2 * DAY;
    const onset = at(sunday, 13);
    const end = at(sunday, 14);
    const incidents = await backtest('volume-drop', {
      start: friday,
      days: 3,
      peakPerMinute: 120,
      weekendFactor: 0.65,
      versions: INSTALLED,
      volume: [{ from: onset, to: end, match: {}, factor: 0.15 }],
      seed: 14,
    });
    report('volume-drop', incidents, onset, end);
    expect(incidents.map((i) => i.kind)).toEqual(['volume_drop']);
    const [i] = incidents as [BacktestIncident];
    expect(ms(i.detectedAt) - onset).toBeLessThanOrEqual(10 * MINUTE);
    expect(Math.abs(ms(i.startedAt) - onset)).toBeLessThanOrEqual(3 * MINUTE);
    expect(Math.abs(ms(i.resolvedAt) - end)).toBeLessThanOrEqual(5 * MINUTE);
  });

  it('a creeping degradation: caught on the way up, start estimated near the beginning of the climb', async () => {
    const onset = at(DAY3, 9);
    const end = at(DAY3, 13);
    const climb = 3 * HOUR;
    const incidents = await backtest('creep', {
      start: WED,
      days: 3,
      peakPerMinute: 120,
      versions: INSTALLED,
      failures: [{ from: onset, to: end, match: {}, rate: (t) => 0.015 + 0.1 * Math.min(1, (t - onset) / climb) }],
      seed: 15,
    });
    report('creep', incidents, onset, end);
    expect(incidents).toHaveLength(1);
    const [i] = incidents as [BacktestIncident];
    expect(i.suspectedCause).toBeNull();
    expect(ms(i.detectedAt)).toBeLessThan(onset + climb);
    expect(ms(i.startedAt) - onset).toBeLessThanOrEqual(60 * MINUTE);
  });

  it('flapping failures: one incident, however often it comes and goes', async () => {
    const onset = at(DAY3, 10);
    const failures = Array.from({ length: 12 }, (_, k) => ({
      from: onset + k * 10 * MINUTE,
      to: onset + k * 10 * MINUTE + 4 * MINUTE,
      match: {},
      rate: 0.3,
    }));
    const incidents = await backtest('flapping', { start: WED, days: 3, peakPerMinute: 120, versions: INSTALLED, failures, seed: 16 });
    report('flapping', incidents, onset, onset + 114 * MINUTE);
    expect(incidents).toHaveLength(1);
  });

  it('a staged roll-out of a healthy release: no incident', async () => {
    const incidents = await backtest('healthy-rollout', {
      start: WED,
      days: 3,
      peakPerMinute: 120,
      versions: [...INSTALLED, { version: '5.3.0', releasedAt: at(WED + DAY, 6), weight: 1.5, adoptionHours: 36, announce: true }],
      seed: 17,
    });
    report('healthy-rollout', incidents);
    expect(incidents).toEqual([]);
  });

  it('a staged roll-out of a bad release: caught while few users have it, blamed on the version and its release', async () => {
    const release = at(DAY3, 14);
    const end = at(DAY3, 18);
    const incidents = await backtest('bad-rollout', {
      start: WED,
      days: 3,
      peakPerMinute: 120,
      versions: [...INSTALLED, { version: '5.3.0', releasedAt: release, weight: 1, adoptionHours: 12, announce: true }],
      failures: [{ from: release, to: end, match: { appVersion: '5.3.0' }, rate: 0.6 }],
      seed: 18,
    });
    report('bad-rollout', incidents, release, end);
    expect(incidents).toHaveLength(1);
    const [i] = incidents as [BacktestIncident];
    expect(i.suspectedCause).toMatchObject({
      dimension: 'appVersion',
      value: '5.3.0',
      release: { appVersion: '5.3.0', releasedAt: new Date(release).toISOString() },
    });
    // A share of a few percent of traffic at most by then.
    expect(ms(i.detectedAt) - release).toBeLessThanOrEqual(30 * MINUTE);
  });
});
