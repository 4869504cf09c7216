import type { IncidentKind, SliceDimension } from '../domain/types';
import { HOUR, MINUTE, type TrafficSpec, type VersionSpec } from './traffic';

/**
 * The scenarios `vigil simulate` writes: a few days of one app's traffic with (or without) a known incident, each with
 * the incidents a good detector should open on it, so that a backtest can be checked against them. Dates are fixed
 * (the seed incident happened on 2023-04-12) and so is each scenario's default seed: a scenario is the same file on
 * every machine.
 */

/** What a scenario's traffic holds: when the anomaly began and ended, its kind, and the slice to blame (or none). */
export interface ExpectedIncident {
  onset: string;
  end: string;
  kind: IncidentKind;
  cause: { dimension: SliceDimension; value: string } | null;
}

export interface Scenario {
  name: string;
  about: string;
  seed: number;
  spec: Omit<TrafficSpec, 'seed'>;
  incidents: ExpectedIncident[];
}

const at = (day: string, hhmm: string) => Date.parse(`${day}T${hhmm}:00Z`);
const iso = (ms: number) => new Date(ms).toISOString();

/** Two versions installed before any scenario starts: most users on the current one, a fifth still on the last. */
const INSTALLED: VersionSpec[] = [
  { version: '5.1.0', releasedAt: null, weight: 0.8 },
  { version: '5.0.3', releasedAt: null, weight: 0.2 },
];

/** Why normal logins fail: mostly people mistyping, some timeouts and flaky networks. */
const USUAL_ERRORS: Array<[string, number]> = [
  ['INVALID_CREDENTIALS', 0.7],
  ['AUTH_TIMEOUT', 0.2],
  ['NETWORK_ERROR', 0.1],
];

function seedIncident(): Scenario {
  const release = at('2023-04-12', '14:00');
  const fix = at('2023-04-12', '17:30');
  return {
    name: 'seed-incident',
    about:
      'The seed postmortem: app update 5.2.0, released 14:00, fails ~90% of its logins until the fix at 17:30; ' +
      'about 40% of users are on it by 15:00. Two days of normal traffic come first.',
    seed: 20230412,
    spec: {
      start: at('2023-04-10', '00:00'),
      days: 3,
      peakPerMinute: 750,
      errorCodes: USUAL_ERRORS,
      versions: [...INSTALLED, { version: '5.2.0', releasedAt: release, weight: 1.5, adoptionHours: 2, announce: true }],
      failures: [{ from: release, to: fix, match: { appVersion: '5.2.0' }, rate: 0.9, errorCode: 'SESSION_TOKEN_INVALID' }],
    },
    incidents: [{ onset: iso(release), end: iso(fix), kind: 'error_rate', cause: { dimension: 'appVersion', value: '5.2.0' } }],
  };
}

function backendOutage(): Scenario {
  const onset = at('2024-06-12', '11:30');
  const end = onset + 30 * MINUTE;
  return {
    name: 'backend-outage',
    about: 'The auth backend fails 40% of logins for 30 minutes on every version and platform: no slice is to blame.',
    seed: 20240612,
    spec: {
      start: at('2024-06-10', '00:00'),
      days: 3,
      peakPerMinute: 550,
      errorCodes: USUAL_ERRORS,
      versions: INSTALLED,
      failures: [{ from: onset, to: end, match: {}, rate: 0.4, errorCode: 'AUTH_UNAVAILABLE' }],
    },
    incidents: [{ onset: iso(onset), end: iso(end), kind: 'error_rate', cause: null }],
  };
}

function quietDays(): Scenario {
  return {
    name: 'quiet-days',
    about:
      'Three ordinary days of a modest app (120 logins/min at peak, a few dozen at night) with a healthy release ' +
      '5.3.0 spreading from day 2: nothing should open.',
    seed: 20240304,
    spec: {
      start: at('2024-03-04', '00:00'),
      days: 3,
      peakPerMinute: 120,
      errorCodes: USUAL_ERRORS,
      versions: [...INSTALLED, { version: '5.3.0', releasedAt: at('2024-03-05', '06:00'), weight: 1, adoptionHours: 24, announce: true }],
    },
    incidents: [],
  };
}

function regionOutage(): Scenario {
  const onset = at('2024-09-18', '10:00');
  const end = onset + 45 * MINUTE;
  return {
    name: 'region-outage',
    about: "The EU identity provider fails half of the region's logins for 45 minutes: the region is to blame, not a version.",
    seed: 20240918,
    spec: {
      start: at('2024-09-16', '00:00'),
      days: 3,
      peakPerMinute: 300,
      errorCodes: USUAL_ERRORS,
      versions: INSTALLED,
      failures: [{ from: onset, to: end, match: { region: 'eu' }, rate: 0.5, errorCode: 'IDP_UNREACHABLE' }],
    },
    incidents: [{ onset: iso(onset), end: iso(end), kind: 'error_rate', cause: { dimension: 'region', value: 'eu' } }],
  };
}

function volumeDrop(): Scenario {
  const onset = at('2024-11-10', '13:00');
  const end = onset + HOUR;
  return {
    name: 'volume-drop',
    about:
      'A bad remote-config push crashes the app at launch on a Sunday afternoon: logins fall to 15% for an hour and ' +
      'no failure is ever reported (a volume_drop). The lighter weekend itself must not page.',
    seed: 20241110,
    spec: {
      start: at('2024-11-08', '00:00'),
      days: 3,
      peakPerMinute: 200,
      weekendFactor: 0.65,
      errorCodes: USUAL_ERRORS,
      versions: INSTALLED,
      volume: [{ from: onset, to: end, match: {}, factor: 0.15 }],
    },
    incidents: [{ onset: iso(onset), end: iso(end), kind: 'volume_drop', cause: null }],
  };
}

function sdkLogins(): Scenario {
  const onset = at('2024-05-15', '15:00');
  const end = onset + 90 * MINUTE;
  return {
    name: 'sdk-logins',
    about:
      'A small app whose SDK reports every login (`login` lines with user ids and error codes, not aggregates): an ' +
      'Android 14 update breaks device attestation and 60% of those logins fail for 90 minutes.',
    seed: 20240515,
    spec: {
      start: at('2024-05-13', '00:00'),
      days: 3,
      peakPerMinute: 60,
      format: 'login',
      errorCodes: USUAL_ERRORS,
      versions: INSTALLED,
      failures: [{ from: onset, to: end, match: { platform: 'android', osVersion: '14' }, rate: 0.6, errorCode: 'ATTESTATION_FAILED' }],
    },
    incidents: [{ onset: iso(onset), end: iso(end), kind: 'error_rate', cause: { dimension: 'osVersion', value: '14' } }],
  };
}

export const SCENARIOS: readonly Scenario[] = [seedIncident(), backendOutage(), quietDays(), regionOutage(), volumeDrop(), sdkLogins()];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/** The scenario's traffic spec with its own seed, or another one for the same story with different noise. */
export function scenarioSpec(scenario: Scenario, seed = scenario.seed): TrafficSpec {
  return { ...scenario.spec, seed };
}

/** The labels as `vigil simulate --labels` prints them. */
export function scenarioLabels(scenario: Scenario): { scenario: string; about: string; incidents: ExpectedIncident[] } {
  return { scenario: scenario.name, about: scenario.about, incidents: scenario.incidents };
}
