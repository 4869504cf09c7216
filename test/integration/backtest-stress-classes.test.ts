import { loadDetectorSettings } from '../../src/detection/settings-file';
import { table } from '../support/stress-harness';
import { CLASS_SCENARIOS, runScenario, SCENARIO_HEADERS } from '../support/stress-scenarios';

/**
 * Stress, the classes of issue #9 on the harness's noisy traffic: a release of one platform that crashes at launch
 * (a volume_drop naming the version and its release within 30 min), slow creeps of the whole app and of one platform
 * (paged once the rate has doubled for about 15 minutes), and a bad version in a staged roll-out at 0.2-1 % of
 * traffic (within 12 min). Nothing else may open. Separate from backtest-stress.test.ts so jest runs them side by side.
 */

const settings = loadDetectorSettings();

describe('stress: crash at launch, slow creep, staged roll-outs', () => {
  jest.setTimeout(600_000);

  it('every scenario is caught within its bound, with its culprit and release, and nothing else opens', async () => {
    const rows: Array<Array<string | number | null>> = [];
    const failures: string[] = [];
    for (const [k, s] of CLASS_SCENARIOS.entries()) {
      const result = await runScenario(s, 900 + k, settings);
      rows.push(result.row);
      failures.push(...result.failures);
    }
    console.log(`[stress] issue #9 classes\n${table(SCENARIO_HEADERS, rows)}`);
    expect(failures).toEqual([]);
  });
});
