import { AckLinks } from '../../src/alerts/ack-link';
import { dedupKeyOf, deliverJobId, escalateJobId, occurrenceDetectedAt, occurrenceOf } from '../../src/alerts/keys';
import { redactUrl } from '../../src/alerts/notification';
import { decideOutcome, MAX_STARTS_HONOURING_RETRY_AFTER, parseRetryAfter } from '../../src/alerts/outcome';
import { channelMatches } from '../../src/alerts/dispatch';
import { ManualClock } from '../../src/clock';
import { literalChannel, literalIncident, T0 } from '../support/alerts-fixtures';

describe('delivery outcome', () => {
  const first = { attempt: 1, maxAttempts: 12, starts: 1 };
  const answered = (status: number, retryAfter: string | null = null) => ({ kind: 'answered' as const, status, retryAfter });

  it.each([200, 202, 204])('when the channel answers %i, then it is sent', (status) => {
    expect(decideOutcome(answered(status), first, T0)).toEqual({ kind: 'sent' });
  });

  it.each([500, 502, 503, 408, 429])('when the channel answers %i, then it is retried with backoff', (status) => {
    expect(decideOutcome(answered(status), first, T0)).toEqual({ kind: 'retry', reason: `HTTP ${status}` });
  });

  it('when the channel cannot be reached, then it is retried with backoff', () => {
    expect(decideOutcome({ kind: 'unreachable', reason: 'ECONNREFUSED' }, first, T0)).toEqual({ kind: 'retry', reason: 'ECONNREFUSED' });
  });

  it.each([400, 401, 403, 404, 410, 301])('when the channel answers %i, then it is refused for good, naming only the status', (status) => {
    expect(decideOutcome(answered(status), first, T0)).toEqual({ kind: 'refuse', reason: `refused by the channel: HTTP ${status}` });
  });

  it('when the target is not allowed, then it is refused by Vigil', () => {
    expect(decideOutcome({ kind: 'blocked', reason: 'x resolves to the loopback address 127.0.0.1' }, first, T0)).toEqual({
      kind: 'refuse',
      reason: 'refused by Vigil: x resolves to the loopback address 127.0.0.1',
    });
  });

  it('when the last attempt fails, then it gives up', () => {
    expect(decideOutcome(answered(503), { attempt: 12, maxAttempts: 12, starts: 14 }, T0)).toEqual({ kind: 'giveUp', reason: 'HTTP 503' });
  });

  it('when a 429 carries Retry-After, then the wait is taken from it (seconds or date), capped at an hour, until the job started too often', () => {
    expect(decideOutcome(answered(429, '1'), first, T0)).toEqual({ kind: 'retry', reason: 'HTTP 429', afterMs: 1000 });
    expect(decideOutcome(answered(429, '1'), { ...first, starts: MAX_STARTS_HONOURING_RETRY_AFTER + 1 }, T0)).toEqual({ kind: 'retry', reason: 'HTTP 429' });
    expect(parseRetryAfter(new Date(T0 + 30_000).toUTCString(), T0)).toBe(30_000);
    expect(parseRetryAfter('86400', T0)).toBe(3600_000);
    expect(parseRetryAfter('soon', T0)).toBeUndefined();
    expect(parseRetryAfter(null, T0)).toBeUndefined();
  });
});

describe('idempotency keys', () => {
  it('when an incident is reopened, then its occurrence and so its dedupKey change', () => {
    const first = literalIncident();
    const severityChanged = literalIncident({ timeline: [...first.timeline, { at: T0 + 1, type: 'detected', message: 'Severity changed' }] });
    const resolved = literalIncident({ status: 'resolved', timeline: [...severityChanged.timeline, { at: T0 + 2, type: 'resolved', message: 'r' }] });
    const reopened = literalIncident({ timeline: [...resolved.timeline, { at: T0 + 3, type: 'detected', message: 'Relapse' }] });
    expect([first, severityChanged, resolved, reopened].map(occurrenceOf)).toEqual([1, 1, 1, 2]);
    expect(occurrenceDetectedAt(first)).toBe(T0);
    expect(occurrenceDetectedAt(reopened)).toBe(T0 + 3);
    expect(dedupKeyOf(first.id, 'incident.opened', 1)).not.toBe(dedupKeyOf(first.id, 'incident.opened', 2));
  });

  it('then job ids are valid BullMQ custom ids (no ":", not integers) and deterministic', () => {
    const key = dedupKeyOf('inc_1', 'incident.escalated', 1, 2);
    expect(key).toBe('inc_1-escalated-1-L2');
    for (const id of [deliverJobId('ch_1', key), escalateJobId('ch_1', 'inc_1', 1, 2)]) {
      expect(id).not.toContain(':');
      expect(`${parseInt(id, 10)}`).not.toBe(id);
    }
  });
});

describe('routing', () => {
  it('when the channel is for other apps or a higher severity, then it does not match', () => {
    const incident = literalIncident({ severity: 'major' });
    expect(channelMatches(literalChannel(), incident)).toBe(true);
    expect(channelMatches(literalChannel({ apps: ['app_other'] }), incident)).toBe(false);
    expect(channelMatches(literalChannel({ apps: ['app_other', incident.app] }), incident)).toBe(true);
    expect(channelMatches(literalChannel({ minSeverity: 'critical' }), incident)).toBe(false);
    expect(channelMatches(literalChannel({ minSeverity: 'major' }), incident)).toBe(true);
  });

  it('when a URL carries a credential in its path, then timelines show only the origin', () => {
    expect(redactUrl('https://hooks.slack.com/services/T/B/XXXX')).toBe('https://hooks.slack.com/…');
    expect(redactUrl('https://example.com')).toBe('https://example.com');
  });
});

describe('acknowledge links', () => {
  const clock = new ManualClock(T0);
  const links = new AckLinks('admin-token-0123456789', 'https://vigil.example.com', clock, 60_000);

  it('when the token is the one issued for the incident, then it is valid until it expires', () => {
    const token = links.token('inc_1');
    expect(links.verify('inc_1', token)).toBe('valid');
    clock.advance(60_001);
    expect(links.verify('inc_1', token)).toBe('expired');
    clock.set(T0);
  });

  it('when the token is for another incident, tampered, or signed with another key, then it is invalid', () => {
    const token = links.token('inc_1');
    expect(links.verify('inc_2', token)).toBe('invalid');
    const [expiry, sig] = token.split('.') as [string, string];
    const later = (parseInt(expiry, 36) + 3600_000).toString(36);
    expect(links.verify('inc_1', `${later}.${sig}`)).toBe('invalid');
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    expect(links.verify('inc_1', `${expiry}.${flip(sig[0]!)}${sig.slice(1)}`)).toBe('invalid');
    expect(links.verify('inc_1', `${expiry}.${sig.slice(0, -1)}${flip(sig[42]!)}`)).toBe('invalid');
    expect(links.verify('inc_1', 'garbage')).toBe('invalid');
    expect(new AckLinks('another-admin-token-xyz', 'https://x', clock).verify('inc_1', token)).toBe('invalid');
  });

  it('then the URL points at the public base and the incident', () => {
    expect(links.url('inc_1')).toMatch(/^https:\/\/vigil\.example\.com\/v1\/incidents\/inc_1\/ack\?token=[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
  });
});
