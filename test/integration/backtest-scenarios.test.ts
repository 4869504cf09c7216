import type { BacktestIncident } from '../../src/detection/backtest';
import { describeScenarioBacktests, SCENARIO_TIMEOUT_MS } from '../support/scenario-backtest';

/** The three example scenarios of `vigil simulate` (the others: backtest-scenarios-more.test.ts). */

const replay = describeScenarioBacktests(['seed-incident', 'backend-outage', 'quiet-days']);

it(
  'when the seed incident is replayed, then nearly all the excess is blamed on 5.2.0, linked to its 14:00 release, as critical',
  async () => {
    const [incident] = (await replay('seed-incident')) as [BacktestIncident];
    expect(incident.suspectedCause).toMatchObject({ release: { appVersion: '5.2.0', releasedAt: '2023-04-12T14:00:00.000Z' } });
    expect(incident.suspectedCause?.share).toBeGreaterThan(0.9);
    expect(incident.severity).toBe('critical');
  },
  SCENARIO_TIMEOUT_MS,
);
