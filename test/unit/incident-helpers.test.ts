import { isMaterialUpdate, publicMessageEntry, severityEntry } from '../../src/domain/incident-machine';
import type { Impact, Incident } from '../../src/domain/types';
import { GENERIC_TITLE, publicStatus, statusEtag } from '../../src/incidents/public-status';

const impact: Impact = { errorRate: 0.38, baselineErrorRate: 0.015, failedLogins: 5000, affectedUsers: 4000, affectedUserPct: 0.4 };
const cause = { dimension: 'appVersion' as const, value: '5.2.0', share: 0.97, release: { appVersion: '5.2.0', releasedAt: 1000 } };
const current = { severity: 'major' as const, title: 'Login failures at 38% (baseline 1.5%)', impact, suspectedCause: cause };

describe('isMaterialUpdate', () => {
  it('when only impact numbers drift by a few percent, then the update is not worth a write', () => {
    expect(isMaterialUpdate(current, { ...current, impact: { ...impact, failedLogins: 5200, affectedUsers: 4100 } })).toBe(false);
  });

  it('when an impact number moves by more than 10%, then it is', () => {
    expect(isMaterialUpdate(current, { ...current, impact: { ...impact, failedLogins: 6000 } })).toBe(true);
  });

  it('when severity or title changes, then it is', () => {
    expect(isMaterialUpdate(current, { ...current, severity: 'critical' })).toBe(true);
    expect(isMaterialUpdate(current, { ...current, title: 'Login failures at 45% (baseline 1.5%)' })).toBe(true);
  });

  it('when the cause changes slice or gains a release, then it is; a new share alone is not', () => {
    expect(isMaterialUpdate(current, { ...current, suspectedCause: { ...cause, value: '5.2.1' } })).toBe(true);
    expect(isMaterialUpdate(current, { ...current, suspectedCause: { ...cause, release: null } })).toBe(true);
    expect(isMaterialUpdate(current, { ...current, suspectedCause: null })).toBe(true);
    expect(isMaterialUpdate(current, { ...current, suspectedCause: { ...cause, share: 0.95 } })).toBe(false);
  });

  it('when a volume figure appears, then it is', () => {
    expect(isMaterialUpdate(current, { ...current, impact: { ...impact, loginsPerMinute: 3 } })).toBe(true);
  });
});

describe('timeline entries of changes', () => {
  it('when an operator changes severity, then the note names them; the detector’s change is part of detection', () => {
    expect(severityEntry('major', 'critical', 5, 'ana')).toEqual({
      at: 5,
      type: 'note',
      message: 'Severity changed from major to critical by ana',
      by: 'ana',
    });
    expect(severityEntry('major', 'critical', 5)).toEqual({ at: 5, type: 'detected', message: 'Severity changed from major to critical' });
  });

  it('when the public message is set or cleared, then the note says which', () => {
    expect(publicMessageEntry('Update to 5.2.1', 7, 'ana').message).toBe('ana set the status message for users: "Update to 5.2.1"');
    expect(publicMessageEntry(null, 7, 'ana').message).toBe('ana reset the status message for users to the generic one');
  });
});

const incident = (over: Partial<Incident>): Incident => ({
  id: 'inc_1',
  app: 'app_1',
  fingerprint: 'error_rate',
  kind: 'error_rate',
  status: 'open',
  severity: 'major',
  title: 'Login failures at 38% (baseline 1.5%) — app version 5.2.0',
  startedAt: 1000,
  detectedAt: 2000,
  acknowledgedAt: null,
  resolvedAt: null,
  impact,
  suspectedCause: cause,
  timeline: [],
  publicMessage: null,
  updatedAt: 2000,
  version: 1,
  ...over,
});

describe('publicStatus', () => {
  it('when nothing is unresolved, then the app is operational', () => {
    expect(publicStatus([])).toEqual({ status: 'operational', incidents: [] });
  });

  it('when a major incident is open, then the app is degraded and users see the generic title, not the internal one', () => {
    expect(publicStatus([incident({})])).toEqual({
      status: 'degraded',
      incidents: [{ id: 'inc_1', title: GENERIC_TITLE, status: 'open', startedAt: 1000, message: 'We are aware of the problem and looking into it.' }],
    });
  });

  it('when any incident is critical, then it is an outage, and the operator’s public message is the title', () => {
    const result = publicStatus([
      incident({ id: 'inc_2', severity: 'minor' }),
      incident({ severity: 'critical', status: 'acknowledged', publicMessage: 'Please update to 5.2.1' }),
    ]);
    expect(result.status).toBe('outage');
    expect(result.incidents[1]).toMatchObject({ title: 'Please update to 5.2.1', message: 'Our team is working on a fix.' });
  });

  it('when two statuses are equal, then their ETags are equal, and differ otherwise', () => {
    expect(statusEtag(publicStatus([incident({})]))).toBe(statusEtag(publicStatus([incident({ title: 'other' })])));
    expect(statusEtag(publicStatus([incident({})]))).not.toBe(statusEtag(publicStatus([])));
    expect(statusEtag(publicStatus([]))).toMatch(/^W\/"[\w-]+"$/);
  });
});
