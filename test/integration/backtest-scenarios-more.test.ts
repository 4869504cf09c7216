import { SCENARIOS } from '../../src/simulate/scenarios';
import { describeScenarioBacktests } from '../support/scenario-backtest';

/** Every `vigil simulate` scenario beyond the three examples of backtest-scenarios.test.ts. */

const EXAMPLES = new Set(['seed-incident', 'backend-outage', 'quiet-days']);

describeScenarioBacktests(SCENARIOS.map((s) => s.name).filter((name) => !EXAMPLES.has(name)));
