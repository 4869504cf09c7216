import { loadDetectorSettings } from '../../src/detection/settings-file';
import { table } from '../support/stress-harness';
import { runScenario, SCENARIO_HEADERS, SCENARIOS } from '../support/stress-scenarios';

/**
 * Stress, incidents: every scenario of test/support/stress-scenarios.ts (bad release at 1.5 %, region, OS, backend
 * outage at 200 and 20 logins/min, volume drop, creep, flapping, a version crashing before login) on the harness's
 * noisy traffic is caught within its latency, with its culprit, and nothing else opens. The quiet weeks are in
 * backtest-stress-quiet-*.test.ts (separate files so jest runs them side by side).
 */

const settings = loadDetectorSettings();

describe('stress: incident scenarios', () => {
  it('every incident scenario is caught, with its start and culprit, and nothing else opens', async () => {
    const rows: Array<Array<string | number | null>> = [];
    const failures: string[] = [];
    for (const [k, s] of SCENARIOS.entries()) {
      const result = await runScenario(s, 500 + k, settings);
      rows.push(result.row);
      failures.push(...result.failures);
    }
    console.log(`[stress] incident scenarios\n${table(SCENARIO_HEADERS, rows)}`);
    expect(failures).toEqual([]);
  });
});
