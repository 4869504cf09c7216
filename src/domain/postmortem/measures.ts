import { describeCause } from '../incident-machine';
import type { Incident, Measure, PostmortemFacts, SuspectedCause, Task } from '../types';
import { acknowledgementDelayMs, type ResolvedIncident } from './facts';
import { duration, utcDate } from '../format';
import { DAY_MS } from '../time';

/** Vigil's aim is a page within minutes of the first failures; slower than this is worth a look. */
export const SLOW_DETECTION_MS = 10 * 60_000;
/** An on-call engineer should be on it within a quarter of an hour of the page. */
export const SLOW_ACKNOWLEDGEMENT_MS = 15 * 60_000;
const DUE_AFTER_DAYS: Record<Measure['kind'], number> = { immediate: 7, preventive: 14 };

/** A measure and the task that carries it out; the id is stable so a re-draft lines up with the reviewers' edits. */
interface Action {
  id: string;
  kind: Measure['kind'];
  text: string;
  task: string;
}

/** "app version 5.2.0", "region eu": where, without the release. */
export const sliceName = (cause: SuspectedCause) => describeCause({ ...cause, release: null });

function causeActions(kind: Incident['kind'], cause: SuspectedCause | null): Action[] {
  if (cause?.dimension === 'appVersion') {
    const version = cause.value;
    const actions: Action[] = [
      {
        id: 'halt-rollout',
        kind: 'immediate',
        text: `Halt the rollout of ${version} and roll back (or ship a fixed build) so its users can log in again.`,
        task: `Halt the ${version} rollout and ship a fixed build`,
      },
      kind === 'volume_drop'
        ? {
            id: 'gate-rollout-crashes',
            kind: 'preventive',
            text: 'Gate staged rollouts on crash-free app starts: a build that crashes before login never shows a login failure.',
            task: 'Gate staged rollouts on crash-free app starts',
          }
        : {
            id: 'gate-rollout',
            kind: 'preventive',
            text: "Gate staged rollouts on the new version's login failure rate: run `vigil gate` before each rollout step and hold the rollout while it answers unhealthy (docs/release-gate.md).",
            task: "Gate staged rollouts on the new version's login failure rate",
          },
      {
        id: 'release-login-test',
        kind: 'preventive',
        text: 'Add an end-to-end login test on every platform to the release checklist.',
        task: 'Add an end-to-end login test to the release checklist',
      },
    ];
    if (!cause.release) {
      actions.push({
        id: 'register-releases',
        kind: 'preventive',
        text: `Register every release with Vigil (POST /v1/releases) before it ships: no release of ${version} was registered, so the incident could not name it.`,
        task: 'Register releases with Vigil from the release pipeline',
      });
    }
    return actions;
  }
  if (cause) {
    const where = sliceName(cause);
    return [
      {
        id: 'revert-slice-change',
        kind: 'immediate',
        text: `Find and revert the change that affects only ${where} (a backend deployment, a provider, a configuration).`,
        task: `Find and revert the change behind the ${where} failures`,
      },
      {
        id: 'slice-synthetic-checks',
        kind: 'preventive',
        text: `Add synthetic login checks covering ${where}, so a failure there pages before users report it.`,
        task: `Add synthetic login checks for ${where}`,
      },
    ];
  }
  if (kind === 'volume_drop') {
    return [
      {
        id: 'check-reachability',
        kind: 'immediate',
        text: 'Check that clients reach the login endpoint (DNS, CDN, certificates) and whether the app crashes at start on every version.',
        task: 'Confirm why logins stopped arriving from every version',
      },
      {
        id: 'crash-before-login-alerts',
        kind: 'preventive',
        text: 'Alert on app-start crashes and on login endpoint reachability from outside the network, not only on login failures.',
        task: 'Alert on app-start crashes and login endpoint reachability',
      },
    ];
  }
  return [
    {
      id: 'backend-rollback',
      kind: 'immediate',
      text: 'Roll back the latest change to the authentication backend and its dependencies, and confirm the backend is healthy.',
      task: 'Roll back the latest auth backend change and confirm its health',
    },
    {
      id: 'backend-canary',
      kind: 'preventive',
      text: 'Deploy the authentication backend through a canary that compares its login failure rate with the stable fleet before a full rollout.',
      task: 'Canary auth backend deployments on the login failure rate',
    },
    {
      id: 'backend-health-checks',
      kind: 'preventive',
      text: 'Add health checks and synthetic logins for the authentication backend that page on failure.',
      task: 'Add health checks and synthetic logins for the auth backend',
    },
  ];
}

function responseActions(incident: ResolvedIncident, facts: PostmortemFacts): Action[] {
  const actions: Action[] = [];
  if (incident.publicMessage === null) {
    actions.push({
      id: 'tell-users',
      kind: 'immediate',
      text: 'Tell affected users what happened and what to do: set the incident’s public message for the in-app banner, and update the store listing and support replies.',
      task: 'Tell affected users what happened and what to do',
    });
  }
  if (facts.detectionLagMs > SLOW_DETECTION_MS) {
    actions.push({
      id: 'tune-detection',
      kind: 'preventive',
      text: `Tune detection for this app: the anomaly was recognised ${duration(facts.detectionLagMs)} after it began (aim: under ${duration(SLOW_DETECTION_MS)}).`,
      task: 'Tune detection sensitivity for this app',
    });
  }
  if (facts.firstPageAt === null) {
    actions.push({
      id: 'route-pages',
      kind: 'preventive',
      text: 'Route this app’s incidents to an on-call channel: nobody was paged for this incident.',
      task: 'Route this app’s incidents to an on-call channel',
    });
  }
  const ackDelay = acknowledgementDelayMs(facts);
  if (ackDelay === null || ackDelay > SLOW_ACKNOWLEDGEMENT_MS) {
    const what = ackDelay === null ? 'nobody acknowledged the incident before it resolved' : `the acknowledgement took ${duration(ackDelay)}`;
    actions.push({
      id: 'review-escalation',
      kind: 'preventive',
      text: `Review the escalation policy: ${what} (aim: within ${duration(SLOW_ACKNOWLEDGEMENT_MS)} of the page).`,
      task: 'Review the on-call escalation policy',
    });
  }
  return actions;
}

/** Corrective and preventive measures derived from what Vigil saw, and one open task per measure. */
export function correctiveActions(
  incident: ResolvedIncident,
  facts: PostmortemFacts,
  now: number,
): { measures: { immediate: Measure[]; preventive: Measure[] }; tasks: Task[] } {
  const actions = [...causeActions(incident.kind, facts.suspectedCause), ...responseActions(incident, facts)];
  const immediate = actions.filter((a) => a.kind === 'immediate');
  const preventive = actions.filter((a) => a.kind === 'preventive');
  const measure = (a: Action): Measure => ({ id: a.id, kind: a.kind, text: a.text });
  return {
    measures: { immediate: immediate.map(measure), preventive: preventive.map(measure) },
    tasks: [...immediate, ...preventive].map((a) => ({
      id: `task-${a.id}`,
      title: a.task,
      owner: null,
      status: 'open',
      dueDate: utcDate(now + DUE_AFTER_DAYS[a.kind] * DAY_MS),
    })),
  };
}
