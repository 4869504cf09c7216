import type { Finding, Signal } from '../../src/domain/detector/signals';
import { changeForSignal, incidentTitle, type HeldIncidents } from '../../src/domain/incident-machine';
import type { Impact } from '../../src/domain/types';

const impact: Impact = { errorRate: 0.38, baselineErrorRate: 0.015, failedLogins: 5000, affectedUsers: 4000, affectedUserPct: 0.4 };
const finding: Finding = {
  kind: 'error_rate',
  fingerprint: 'error_rate',
  severity: 'major',
  startedAt: 1_000,
  impact,
  suspectedCause: { dimension: 'appVersion', value: '5.2.0', share: 0.97, release: null },
};
const signal = (type: Signal['type'], over: Partial<Finding> = {}): Signal => ({ type, at: 60_000, finding: { ...finding, ...over } });
const open = { id: 'inc_1', status: 'open' as const, severity: 'major' as const, title: incidentTitle(finding), impact, suspectedCause: finding.suspectedCause };
const nothing: HeldIncidents = { open: null, recentlyResolved: null };
const resolved: HeldIncidents = { open: null, recentlyResolved: { id: 'inc_0', status: 'resolved' } };

describe('changeForSignal: the one rule of how detector signals change incidents', () => {
  it('when an open signal finds nothing open, then a new incident opens, with its started and detected entries', () => {
    const change = changeForSignal('app', signal('open'), nothing);
    expect(change).toMatchObject({ type: 'open', incident: { app: 'app', fingerprint: 'error_rate', startedAt: 1_000, detectedAt: 60_000 } });
    expect(change.type === 'open' && change.incident.timeline.map((t) => t.type)).toEqual(['started', 'detected']);
  });

  it('when an open signal finds its incident already open (applied before a crash), then the listeners are told again', () => {
    expect(changeForSignal('app', signal('open'), { ...nothing, open })).toEqual({ type: 'retell', id: 'inc_1', event: 'opened' });
  });

  it('when an update drifts by a few logins, then nothing is written', () => {
    expect(changeForSignal('app', signal('update', { impact: { ...impact, failedLogins: 5100 } }), { ...nothing, open })).toEqual({ type: 'none' });
  });

  it('when an update changes severity, then the patch carries it and the timeline says so', () => {
    const change = changeForSignal('app', signal('update', { severity: 'critical' }), { ...nothing, open });
    expect(change).toMatchObject({ type: 'update', id: 'inc_1', patch: { severity: 'critical' } });
    expect(change.type === 'update' && change.timeline).toEqual([{ at: 60_000, type: 'detected', message: 'Severity changed from major to critical' }]);
  });

  it('when an update finds nothing open (an operator resolved it), then their call stands', () => {
    expect(changeForSignal('app', signal('update', { severity: 'critical' }), resolved)).toEqual({ type: 'none' });
  });

  it('when a resolve finds the incident open, then it moves to resolved from open or acknowledged, without touching its impact', () => {
    const change = changeForSignal('app', signal('resolve', { impact: { ...impact, failedLogins: 9000 } }), { ...nothing, open });
    expect(change).toMatchObject({ type: 'transition', id: 'inc_1', from: ['open', 'acknowledged'], to: 'resolved', event: 'resolved' });
    expect(change.type === 'transition' && change.patch).toBeUndefined();
  });

  it('when a resolve finds it resolved already, then the listeners are told again; with nothing at all, nothing happens', () => {
    expect(changeForSignal('app', signal('resolve'), resolved)).toEqual({ type: 'retell', id: 'inc_0', event: 'resolved' });
    expect(changeForSignal('app', signal('resolve'), nothing)).toEqual({ type: 'none' });
  });

  it('when a relapse finds the incident resolved within the window, then the same incident reopens with fresh figures', () => {
    const change = changeForSignal('app', signal('reopen', { severity: 'critical' }), resolved);
    expect(change).toMatchObject({ type: 'transition', id: 'inc_0', from: ['resolved'], to: 'open', event: 'reopened', patch: { severity: 'critical' } });
    expect(change.type === 'transition' && change.timeline[0]?.message).toMatch(/^Relapse detected, incident reopened/);
  });

  it('when a relapse finds nothing to reopen (resolved too long ago), then it is a new incident; already open, a retell', () => {
    expect(changeForSignal('app', signal('reopen'), nothing)).toMatchObject({ type: 'open', incident: { detectedAt: 60_000 } });
    expect(changeForSignal('app', signal('reopen'), { ...nothing, open })).toEqual({ type: 'retell', id: 'inc_1', event: 'reopened' });
  });
});
