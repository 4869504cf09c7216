import { loadDetectorSettings } from '../../src/detection/settings-file';
import { table } from '../support/stress-harness';
import { runQuietWeeks } from '../support/stress-scenarios';

/**
 * Stress, quiet weeks at 2 and 20 logins/min at peak: retry storms (one user failing 5-20 times in a minute),
 * one-minute app-wide bursts, overdispersed failures, healthy staged roll-outs of app and OS versions at any hour.
 * Nothing may open. Each week has its own seed and release times. STRESS_WEEKS=n runs n weeks per level: the default (1) keeps
 * `npm test` quick; STRESS_WEEKS=3 is the full run whose figures are quoted in the report.
 */

const settings = loadDetectorSettings();
const WEEKS = Number(process.env.STRESS_WEEKS ?? 1);

describe('stress: quiet weeks', () => {
  jest.setTimeout(600_000);

  it.each([2, 20])('%d logins/min at peak: no incident in the quiet weeks', async (level) => {
    const found = await runQuietWeeks(level, WEEKS, settings);
    const rows = [[`${level}/min`, WEEKS, found.length]];
    console.log(`[stress] quiet weeks\n${table(['peak', 'weeks', 'false incidents'], rows)}${found.length ? `\n  ${found.join('\n  ')}` : ''}`);
    expect(found).toEqual([]);
  });
});
