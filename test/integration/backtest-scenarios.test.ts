import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runBacktest, type BacktestIncident } from '../../src/cli/backtest';
import { loadDetectorSettings } from '../../src/detection/settings-file';

/** The three example scenarios, through the same path as `vigil backtest`, against their labels. */

const SCENARIOS = path.resolve(__dirname, '../../../shared/scenarios');
const MINUTE = 60_000;
const settings = loadDetectorSettings();

interface Label {
  onset: string;
  end: string;
  kind: string;
  cause: { dimension: string; value: string } | null;
}

function labels(name: string): Label[] {
  return (JSON.parse(readFileSync(path.join(SCENARIOS, `${name}.labels.json`), 'utf8')) as { incidents: Label[] }).incidents;
}

async function backtest(name: string): Promise<BacktestIncident[]> {
  const out: string[] = [];
  const incidents = await runBacktest({
    input: path.join(SCENARIOS, `${name}.ndjson.gz`),
    settings,
    everySeconds: 10,
    out: (line) => out.push(line),
    progress: () => {},
  });
  expect(out.map((l) => JSON.parse(l) as BacktestIncident)).toEqual(incidents);
  return incidents;
}

const minutes = (ms: number) => Math.round(ms / MINUTE);

function figures(name: string, incident: BacktestIncident, label: Label): void {
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

describe('backtest on the example scenarios', () => {
  it('seed-incident: one incident within 3 minutes, blamed on 5.2.0 and its release', async () => {
    const [label] = labels('seed-incident') as [Label];
    const incidents = await backtest('seed-incident');
    expect(incidents).toHaveLength(1);
    const [incident] = incidents as [BacktestIncident];
    figures('seed-incident', incident, label);
    const onset = Date.parse(label.onset);
    expect(incident.kind).toBe('error_rate');
    expect(Date.parse(incident.detectedAt) - onset).toBeLessThanOrEqual(3 * MINUTE);
    expect(Math.abs(Date.parse(incident.startedAt) - onset)).toBeLessThanOrEqual(3 * MINUTE);
    expect(incident.suspectedCause).toMatchObject({
      dimension: 'appVersion',
      value: '5.2.0',
      release: { appVersion: '5.2.0', releasedAt: '2023-04-12T14:00:00.000Z' },
    });
    expect(incident.suspectedCause?.share).toBeGreaterThan(0.9);
    expect(incident.status).toBe('resolved');
    expect(Math.abs(Date.parse(incident.resolvedAt as string) - Date.parse(label.end))).toBeLessThanOrEqual(5 * MINUTE);
    expect(incident.severity).toBe('critical');
  });

  it('quiet-days: nothing opens', async () => {
    expect(await backtest('quiet-days')).toEqual([]);
    console.log('[scenario] quiet-days: 0 incidents');
  });

  it('backend-outage: one incident with no culprit slice', async () => {
    const [label] = labels('backend-outage') as [Label];
    const incidents = await backtest('backend-outage');
    expect(incidents).toHaveLength(1);
    const [incident] = incidents as [BacktestIncident];
    figures('backend-outage', incident, label);
    const onset = Date.parse(label.onset);
    expect(incident.suspectedCause).toBeNull();
    expect(Date.parse(incident.detectedAt) - onset).toBeLessThanOrEqual(3 * MINUTE);
    expect(Math.abs(Date.parse(incident.startedAt) - onset)).toBeLessThanOrEqual(3 * MINUTE);
    expect(Math.abs(Date.parse(incident.resolvedAt as string) - Date.parse(label.end))).toBeLessThanOrEqual(5 * MINUTE);
  });
});
