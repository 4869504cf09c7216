import { draftPostmortem } from '../../src/domain/postmortem/draft';
import type { TimelineEntry } from '../../src/domain/types';
import { at, seedIncident } from './postmortem-fixtures';

const ids = (list: Array<{ id: string }>) => list.map((x) => x.id);

describe('draftPostmortem', () => {
  describe('when the seed incident (5.2.0 released 14:00, rolled back 17:30) is drafted', () => {
    const draft = draftPostmortem(seedIncident(), at('17:31'));

    it('then the title names the culprit and the day', () => {
      expect(draft.title).toBe('Login failures in app version 5.2.0, 2023-04-12');
    });

    it('then the summary gives duration, impact in numbers, the culprit, and how fast people were reached', () => {
      expect(draft.summary).toBe(
        'For 3 h 30 min, on 2023-04-12 from 14:00 to 17:30 UTC, 38% of logins failed at the peak against a baseline of 1.5%: ' +
          '5,230 failed logins and 4,100 users affected (40% of active users). ' +
          'The trouble was concentrated in app version 5.2.0 (97% of the excess), released at 14:00 UTC. ' +
          'Vigil detected the anomaly 2 min after it began and paged on-call 1 min later; it was acknowledged 21 min after the page. ' +
          'The in-app banner showed only the generic message: no public message was set.',
      );
    });

    it('then the facts keep the measured numbers', () => {
      expect(draft.facts).toEqual({
        startedAt: at('14:00'),
        detectedAt: at('14:02'),
        resolvedAt: at('17:30'),
        durationMs: 210 * 60_000,
        detectionLagMs: 2 * 60_000,
        firstPageAt: at('14:03'),
        acknowledgedAt: at('14:24'),
        peakErrorRate: 0.38,
        baselineErrorRate: 0.015,
        failedLogins: 5230,
        affectedUsers: 4100,
        affectedUserPct: 0.4,
        suspectedCause: { dimension: 'appVersion', value: '5.2.0', share: 0.97, release: { appVersion: '5.2.0', releasedAt: at('14:00') } },
      });
    });

    it('then the root cause names the release and the resolution says who fixed it', () => {
      expect(draft.rootCause).toBe(
        'Vigil attributes 97% of the excess login failures to app version 5.2.0. Version 5.2.0 was released at 14:00 UTC, ' +
          'just as the trouble began: that release is the suspected cause. Confirm the defect and record it here.',
      );
      expect(draft.resolution).toBe(
        'Resolved by dana: rolled back to 5.1.3 (17:30 UTC). Record the fix that was shipped and how it was verified.',
      );
    });

    it('then the measures halt the rollout now and gate rollouts later, and the 21 min acknowledgement is questioned', () => {
      expect(draft.measures.immediate).toEqual([
        {
          id: 'halt-rollout',
          kind: 'immediate',
          text: 'Halt the rollout of 5.2.0 and roll back (or ship a fixed build) so its users can log in again.',
        },
        {
          id: 'tell-users',
          kind: 'immediate',
          text: 'Tell affected users what happened and what to do: set the incident’s public message for the in-app banner, and update the store listing and support replies.',
        },
      ]);
      expect(ids(draft.measures.preventive)).toEqual(['gate-rollout', 'release-login-test', 'review-escalation']);
      expect(draft.measures.preventive[0]!.text).toBe(
        "Gate staged rollouts on the new version's login failure rate: run `vigil gate` before each rollout step and hold the rollout while it answers unhealthy (docs/release-gate.md).",
      );
      expect(draft.measures.preventive[2]!.text).toBe(
        'Review the escalation policy: the acknowledgement took 21 min (aim: within 15 min of the page).',
      );
    });

    it('then every measure has an open, unowned task due in 7 (immediate) or 14 (preventive) days', () => {
      expect(draft.tasks).toEqual([
        { id: 'task-halt-rollout', title: 'Halt the 5.2.0 rollout and ship a fixed build', owner: null, status: 'open', dueDate: '2023-04-19' },
        { id: 'task-tell-users', title: 'Tell affected users what happened and what to do', owner: null, status: 'open', dueDate: '2023-04-19' },
        { id: 'task-gate-rollout', title: "Gate staged rollouts on the new version's login failure rate", owner: null, status: 'open', dueDate: '2023-04-26' },
        { id: 'task-release-login-test', title: 'Add an end-to-end login test to the release checklist', owner: null, status: 'open', dueDate: '2023-04-26' },
        { id: 'task-review-escalation', title: 'Review the on-call escalation policy', owner: null, status: 'open', dueDate: '2023-04-26' },
      ]);
    });

    it('then the timeline starts with the release and keeps every logged entry in order', () => {
      expect(draft.timeline.map((e) => [new Date(e.at).toISOString().slice(11, 16), e.type])).toEqual([
        ['14:00', 'note'],
        ['14:00', 'started'],
        ['14:02', 'detected'],
        ['14:03', 'alerted'],
        ['14:18', 'escalated'],
        ['14:24', 'acknowledged'],
        ['15:10', 'note'],
        ['17:30', 'resolved'],
      ]);
      expect(draft.timeline[0]).toEqual({ at: at('14:00'), type: 'note', message: 'App version 5.2.0 released' });
    });
  });

  it('when the same entries were appended twice and some were never logged, then the timeline is complete and has no repeats', () => {
    const resolved: TimelineEntry = { at: at('17:30'), type: 'resolved', message: 'Resolved automatically: login metrics back to baseline' };
    const detected: TimelineEntry = { at: at('14:02'), type: 'detected', message: 'Vigil detected it' };
    const draft = draftPostmortem(
      seedIncident({ suspectedCause: null, timeline: [resolved, detected, detected, resolved] }),
      at('17:31'),
    );
    expect(draft.timeline).toEqual([
      { at: at('14:00'), type: 'started', message: 'Anomaly began (estimated change point)' },
      detected,
      { at: at('14:24'), type: 'acknowledged', message: 'Acknowledged' },
      resolved,
    ]);
    expect(draft.resolution).toBe(
      'Login metrics returned to baseline and Vigil resolved the incident automatically at 17:30 UTC. Record the fix that was shipped and how it was verified.',
    );
  });

  it('when no slice explains the failures, then it points at the backend and proposes backend measures', () => {
    const draft = draftPostmortem(seedIncident({ suspectedCause: null, publicMessage: 'Login is failing for some users; we are on it.' }), at('17:31'));
    expect(draft.title).toBe('Login failures across all versions, 2023-04-12');
    expect(draft.summary).toContain('No single version, platform or region stood out: every slice was affected.');
    expect(draft.summary).toContain('Users were told in the app: “Login is failing for some users; we are on it.”');
    expect(draft.rootCause).toBe(
      'The excess was spread over every app version, platform and region: no single slice explains it. That points at something ' +
        'every client shares, such as the authentication backend or one of its dependencies, rather than an app release. ' +
        'Record the confirmed cause here.',
    );
    expect(ids(draft.measures.immediate)).toEqual(['backend-rollback']);
    expect(ids(draft.measures.preventive)).toEqual(['backend-canary', 'backend-health-checks', 'review-escalation']);
  });

  it('when the culprit version has no registered release, then the draft says so and asks for releases to be registered', () => {
    const draft = draftPostmortem(
      seedIncident({ suspectedCause: { dimension: 'appVersion', value: '5.2.0', share: 0.9, release: null } }),
      at('17:31'),
    );
    expect(draft.rootCause).toContain('No release of 5.2.0 was registered with Vigil, so the change behind it is not named here.');
    expect(ids(draft.measures.preventive)).toContain('register-releases');
    expect(draft.timeline.some((e) => e.message.endsWith('released'))).toBe(false);
  });

  it('when the culprit is a region, then the measures look for a change affecting that region', () => {
    const draft = draftPostmortem(
      seedIncident({ suspectedCause: { dimension: 'region', value: 'eu', share: 0.8, release: null } }),
      at('17:31'),
    );
    expect(draft.measures.immediate[0]).toEqual({
      id: 'revert-slice-change',
      kind: 'immediate',
      text: 'Find and revert the change that affects only region eu (a backend deployment, a provider, a configuration).',
    });
    expect(ids(draft.measures.preventive)).toEqual(['slice-synthetic-checks', 'review-escalation']);
  });

  it('when detection lagged, nobody was paged and nobody acknowledged, then detection, routing and escalation are all reviewed', () => {
    const draft = draftPostmortem(
      seedIncident({
        detectedAt: at('14:40'),
        acknowledgedAt: null,
        publicMessage: 'Some logins fail',
        timeline: [{ at: at('17:30'), type: 'resolved', message: 'Resolved by dana', by: 'dana' }],
      }),
      at('17:31'),
    );
    expect(draft.facts.firstPageAt).toBeNull();
    expect(draft.summary).toContain(
      'Vigil detected the anomaly 40 min after it began, but nobody was paged; nobody acknowledged it before it resolved.',
    );
    expect(draft.measures.preventive.slice(-3)).toEqual([
      {
        id: 'tune-detection',
        kind: 'preventive',
        text: 'Tune detection for this app: the anomaly was recognised 40 min after it began (aim: under 10 min).',
      },
      { id: 'route-pages', kind: 'preventive', text: 'Route this app’s incidents to an on-call channel: nobody was paged for this incident.' },
      {
        id: 'review-escalation',
        kind: 'preventive',
        text: 'Review the escalation policy: nobody acknowledged the incident before it resolved (aim: within 15 min of the page).',
      },
    ]);
  });

  it('when the page was acknowledged within 15 min, then the escalation policy is left alone', () => {
    const draft = draftPostmortem(seedIncident({ acknowledgedAt: at('14:10') }), at('17:31'));
    expect(ids(draft.measures.preventive)).toEqual(['gate-rollout', 'release-login-test']);
  });

  it('when logins dropped on a new version, then the draft describes a crash before login and gates rollouts on crashes', () => {
    const draft = draftPostmortem(
      seedIncident({
        kind: 'volume_drop',
        impact: { errorRate: 0.02, baselineErrorRate: 0.015, failedLogins: 40, affectedUsers: 2600, affectedUserPct: 0.25, loginsPerMinute: 90, baselineLoginsPerMinute: 310 },
      }),
      at('17:31'),
    );
    expect(draft.title).toBe('Login volume drop in app version 5.2.0, 2023-04-12');
    expect(draft.summary.startsWith(
      'For 3 h 30 min, on 2023-04-12 from 14:00 to 17:30 UTC, logins dropped to 90/min against 310/min usually: 2,600 users affected (25% of active users).',
    )).toBe(true);
    expect(draft.rootCause.startsWith(
      'Logins dropped to 90/min: the pattern of an app that fails before users reach the login (a crash at start, an unreachable endpoint). ' +
        'Vigil attributes 97% of the excess missing logins to app version 5.2.0.',
    )).toBe(true);
    expect(ids(draft.measures.preventive)).toEqual(['gate-rollout-crashes', 'release-login-test', 'review-escalation']);
  });

  it('when logins dropped on every version, then reachability and app-start crashes are checked', () => {
    const draft = draftPostmortem(seedIncident({ kind: 'volume_drop', suspectedCause: null }), at('17:31'));
    expect(ids(draft.measures.immediate)).toEqual(['check-reachability', 'tell-users']);
    expect(ids(draft.measures.preventive)).toEqual(['crash-before-login-alerts', 'review-escalation']);
  });

  it('when the caller saw a higher peak in the series, then the facts and summary use it', () => {
    const draft = draftPostmortem(seedIncident(), at('17:31'), { peakErrorRate: 0.41 });
    expect(draft.facts.peakErrorRate).toBe(0.41);
    expect(draft.summary).toContain('41% of logins failed at the peak');
  });

  it('when the incident spans midnight, then the summary names both days', () => {
    const draft = draftPostmortem(seedIncident({ startedAt: at('23:00'), detectedAt: at('23:02'), resolvedAt: at('01:15', '2023-04-13'), acknowledgedAt: null, timeline: [] }), at('02:00', '2023-04-13'));
    expect(draft.summary.startsWith('For 2 h 15 min, from 2023-04-12 23:00 to 2023-04-13 01:15 UTC, ')).toBe(true);
    expect(draft.tasks[0]!.dueDate).toBe('2023-04-20');
  });
});
