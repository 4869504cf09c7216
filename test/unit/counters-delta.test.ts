import type { TelemetryEvent } from '../../src/domain/types';
import { foldBatch, platformTotals, rollUp } from '../../src/counters/delta';

const T = Date.parse('2024-05-01T11:00:00Z');
const login = (over: Partial<TelemetryEvent> & { ts?: number; outcome?: 'success' | 'failure' } = {}): TelemetryEvent =>
  ({ type: 'login', ts: T + 5_000, outcome: 'success', appVersion: '5.2.0', platform: 'ios', ...over }) as TelemetryEvent;

describe('folding a batch in memory', () => {
  it('when events share a minute, then each field is incremented once with the sum', () => {
    const delta = foldBatch([
      login({ userId: 'a' }),
      login({ userId: 'b', outcome: 'failure', errorCode: 'AUTH_TIMEOUT' }),
      login({ userId: 'a', outcome: 'failure' }),
    ]);
    expect(delta.minutes.map((m) => m.at)).toEqual([T]);
    const minute = delta.minutes[0]!;
    expect(minute.fields).toEqual({
      a: 3,
      f: 2,
      'a|v|5.2.0': 3,
      'f|v|5.2.0': 2,
      'a|p|ios': 3,
      'f|p|ios': 2,
      'a|o|unknown': 3,
      'f|o|unknown': 2,
      'a|r|unknown': 3,
      'f|r|unknown': 2,
      'f|e|AUTH_TIMEOUT': 1,
      'f|e|unknown': 1,
    });
    expect(minute.users.u).toBe('a\nb');
    expect(minute.users.fu).toBe('b\na');
    expect(minute.users['fu|e|AUTH_TIMEOUT']).toBe('b');
    expect(platformTotals(delta)).toEqual([{ platform: 'ios', attempts: 3, failures: 2 }]);
    // What the queue carries is plain JSON.
    expect(JSON.parse(JSON.stringify(delta))).toEqual(delta);
  });

  it('when events span minutes of one hour, then minutes stay apart and the hour rolls them up', () => {
    const delta = foldBatch([login({ userId: 'a' }), login({ ts: T + 61_000, userId: 'a' }), login({ ts: T + 3_600_000 })]);
    expect(delta.minutes.map((m) => m.at)).toEqual([T, T + 60_000, T + 3_600_000]);
    const hours = rollUp(delta);
    expect(hours.map((h) => [h.at, h.fields.a])).toEqual([[T, 2], [T + 3_600_000, 1]]);
    // A HyperLogLog counts 'a' once, however often it is added.
    expect(hours[0]!.users.u).toBe('a\na');
  });

  it('when users roll up to the hour, then only the whole app\'s are kept, slices stay per minute', () => {
    const delta = foldBatch([login({ userId: 'a', outcome: 'failure', errorCode: 'E1' }), login({ ts: T + 61_000, userId: 'b' })]);
    const [hour] = rollUp(delta);
    expect(hour!.users).toEqual({ u: 'a\nb', fu: 'a' });
    expect(hour!.fields['f|e|E1']).toBe(1);
    expect(Object.keys(delta.minutes[0]!.users)).toContain('u|v|5.2.0');
    expect(Object.keys(delta.minutes[0]!.users)).toContain('fu|e|E1');
  });

  it('when an aggregate arrives, then its counts and users go to fields and unbroken-down failures to "unknown"', () => {
    const delta = foldBatch([
      {
        type: 'login_aggregate',
        minute: T,
        attempts: 120,
        failures: 48,
        users: 110,
        failedUsers: 45,
        failuresByErrorCode: { AUTH_TIMEOUT: 40 },
        appVersion: '5.2.0',
        platform: 'android',
        region: 'eu',
      },
    ]);
    expect(delta.minutes[0]!.fields).toMatchObject({ a: 120, f: 48, u: 110, fu: 45, 'u|r|eu': 110, 'f|e|AUTH_TIMEOUT': 40, 'f|e|unknown': 8 });
    expect(delta.minutes[0]!.users).toEqual({});
    expect(platformTotals(delta)).toEqual([{ platform: 'android', attempts: 120, failures: 48 }]);
  });

  it('when counts are zero, then no field is written for them', () => {
    const { fields } = foldBatch([login()]).minutes[0]!;
    expect(Object.keys(fields).some((k) => k.startsWith('f'))).toBe(false);
  });
});
