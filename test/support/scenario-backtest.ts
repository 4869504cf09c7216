import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { runBacktest, type BacktestIncident } from '../../src/detection/backtest';
import { loadDetectorSettings } from '../../src/detection/settings-file';
import { findScenario, scenarioSpec, type ExpectedIncident, type Scenario } from '../../src/simulate/scenarios';
import { MINUTE } from '../../src/simulate/traffic';
import { streamTraffic } from '../../src/simulate/write';
import { makeTempDir } from './tmp';

/**
 * `vigil simulate` scenarios, written to a file the way the command writes it, through the same path as
 * `vigil backtest`, against the incidents each scenario says it holds. Shared by the scenario test files, which
 * split the scenarios between them so that jest's workers replay them side by side.
 */

/**
 * A few days of traffic through the detector every 10 simulated seconds is bounded work, but slow when the machine
 * is shared: the timeout only catches a hang.
 */
export const SCENARIO_TIMEOUT_MS = 600_000;

/** How late an incident of each kind may be found: a volume drop needs a few quiet minutes to be told from noise. */
const LATENCY = { error_rate: 3 * MINUTE, volume_drop: 10 * MINUTE } as const;

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

/** Defines one test per scenario; returns the replay of each (run once, shared with the caller's own tests). */
/** A JSON replacer rounding non-integers to 10 significant digits. */
const significant = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(10)) : value);

export function describeScenarioBacktests(names: string[]): (name: string) => Promise<BacktestIncident[]> {
  const settings = loadDetectorSettings();
  const tmp = makeTempDir('backtest-scenarios');
  afterAll(() => tmp.remove());
  const replays = new Map<string, Promise<BacktestIncident[]>>();

  const backtest = async (scenario: Scenario): Promise<BacktestIncident[]> => {
    const file = path.join(tmp.dir, `${scenario.name}.ndjson.gz`);
    await streamTraffic(scenarioSpec(scenario), createWriteStream(file), { gzip: true });
    return runBacktest({ input: file, settings, everySeconds: 10, progress: () => {} });
  };
  const replay = (name: string) => {
    let incidents = replays.get(name);
    if (!incidents) {
      incidents = backtest(findScenario(name)!);
      replays.set(name, incidents);
    }
    return incidents;
  };

  describe('backtest on the simulate scenarios', () => {
    it.each(names)(
      'when %s is replayed, then Vigil opens exactly the incidents it holds: kind, onset, end and culprit',
      async (name) => {
        const scenario = findScenario(name)!;
        const incidents = await replay(name);
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
          const cause = incident.suspectedCause;
          expect(cause && { dimension: cause.dimension, value: cause.value }).toEqual(label.cause);
        });
        // Every field but the random id, as the backtest printed it when this snapshot was taken: a faster engine
        // must print the same; a detector change that alters it shows here, field by field (update with -u). Numbers
        // to 10 significant digits: summing the same counts in another order moves the 16th, which means nothing.
        expect(JSON.parse(JSON.stringify(incidents.map(({ id: _id, ...rest }) => rest), significant))).toMatchSnapshot();
      },
      SCENARIO_TIMEOUT_MS,
    );
  });
  return replay;
}
