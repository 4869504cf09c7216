import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { runBacktest, type BacktestIncident } from '../../src/cli/backtest';
import { loadDetectorSettings } from '../../src/detection/settings-file';
import { findScenario, SCENARIOS, scenarioSpec, type ExpectedIncident, type Scenario } from '../../src/simulate/scenarios';
import { MINUTE } from '../../src/simulate/traffic';
import { streamTraffic } from '../../src/simulate/write';
import { makeTempDir } from '../support/tmp';

/**
 * Every `vigil simulate` scenario, written to a file the way the command writes it, through the same path as
 * `vigil backtest`, against the incidents the scenario says it holds.
 */

const settings = loadDetectorSettings();
const tmp = makeTempDir('backtest-scenarios');
afterAll(() => tmp.remove());

/** A few days of traffic through the detector every 10 simulated seconds: slow when the machine is shared. */
const SCENARIO_TIMEOUT_MS = 180_000;

async function backtest(scenario: Scenario): Promise<BacktestIncident[]> {
  const file = path.join(tmp.dir, `${scenario.name}.ndjson.gz`);
  await streamTraffic(scenarioSpec(scenario), createWriteStream(file), { gzip: true });
  const out: string[] = [];
  const incidents = await runBacktest({ input: file, settings, everySeconds: 10, out: (line) => out.push(line), progress: () => {} });
  expect(out.map((l) => JSON.parse(l) as BacktestIncident)).toEqual(incidents);
  return incidents;
}

const minutes = (ms: number) => Math.round(ms / MINUTE);

function figures(name: string, incident: BacktestIncident, label: ExpectedIncident): void {
  const onset = Date.parse(label.onset);
  const cause = incident.suspectedCause;
  console.log(
    `[scenario] ${name}: latency ${minutes(Date.parse(incident.detectedAt) - onset)} min, ` +
      `startedAt error ${minutes(Date.parse(incident.startedAt) - onset)} min, ` +
      `culprit ${cause ? `${cause.dimension}=${cause.value} (share ${cause.share.toFixed(3)}, release ${cause.release?.releasedAt ?? 'none'})` : 'null'}, ` +
      `resolve error ${incident.resolvedAt ? `${minutes(Date.parse(incident.resolvedAt) - Date.parse(label.end))} min` : 'still open'}, ` +
      `severity ${incident.severity}`,
  );
}

/** How late an incident of each kind may be found: a volume drop needs a few quiet minutes to be told from noise. */
const LATENCY = { error_rate: 3 * MINUTE, volume_drop: 10 * MINUTE } as const;

describe('backtest on the simulate scenarios', () => {
  const results = new Map<string, BacktestIncident[]>();
  const incidentsOf = async (scenario: Scenario) => {
    const known = results.get(scenario.name);
    if (known) return known;
    const incidents = await backtest(scenario);
    results.set(scenario.name, incidents);
    return incidents;
  };

  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    'when %s is replayed, then Vigil opens exactly the incidents it holds: kind, onset, end and culprit',
    async (name, scenario) => {
      const incidents = await incidentsOf(scenario);
      if (scenario.incidents.length === 0) console.log(`[scenario] ${name}: ${incidents.length} incidents`);
      expect(incidents).toHaveLength(scenario.incidents.length);
      scenario.incidents.forEach((label, k) => {
        const incident = incidents[k] as BacktestIncident;
        figures(name, incident, label);
        const onset = Date.parse(label.onset);
        expect(incident.kind).toBe(label.kind);
        expect(Date.parse(incident.detectedAt) - onset).toBeLessThanOrEqual(LATENCY[label.kind]);
        expect(Math.abs(Date.parse(incident.startedAt) - onset)).toBeLessThanOrEqual(3 * MINUTE);
        expect(incident.status).toBe('resolved');
        expect(Math.abs(Date.parse(incident.resolvedAt as string) - Date.parse(label.end))).toBeLessThanOrEqual(5 * MINUTE);
        expect(incident.suspectedCause && { dimension: incident.suspectedCause.dimension, value: incident.suspectedCause.value }).toEqual(label.cause);
      });
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'when the seed incident is replayed, then nearly all the excess is blamed on 5.2.0, linked to its 14:00 release, as critical',
    async () => {
      const [incident] = (await incidentsOf(findScenario('seed-incident')!)) as [BacktestIncident];
      expect(incident.suspectedCause).toMatchObject({ release: { appVersion: '5.2.0', releasedAt: '2023-04-12T14:00:00.000Z' } });
      expect(incident.suspectedCause?.share).toBeGreaterThan(0.9);
      expect(incident.severity).toBe('critical');
    },
    SCENARIO_TIMEOUT_MS,
  );
});
