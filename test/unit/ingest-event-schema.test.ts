import { ManualClock } from '../../src/clock';
import { createEventSchema, validateEvents } from '../../src/ingest/event-schema';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const schema = createEventSchema(new ManualClock(NOW));

const login = (over: Record<string, unknown> = {}) => ({
  type: 'login',
  ts: '2024-05-01T11:59:00.000Z',
  outcome: 'failure',
  errorCode: 'AUTH_TIMEOUT',
  appVersion: '5.2.0',
  platform: 'ios',
  osVersion: '17.4',
  region: 'eu',
  userId: 'u-1',
  eventId: 'e8b5a51e-8b0c-4d0a-9a53-5c1f1b0f7a10',
  ...over,
});

const aggregate = (over: Record<string, unknown> = {}) => ({
  type: 'login_aggregate',
  minute: NOW - 60_000,
  attempts: 120,
  failures: 48,
  users: 110,
  failedUsers: 45,
  failuresByErrorCode: { AUTH_TIMEOUT: 40 },
  appVersion: '5.2.0',
  platform: 'android',
  ...over,
});

const errorOf = (event: unknown) => validateEvents(schema, [event], NOW).rejected[0]?.error;

describe('event validation', () => {
  it('when a login event is valid, then it is normalised: epoch ms, unknown fields such as eventId dropped', () => {
    const { events, rejected } = validateEvents(schema, [login()], NOW);
    expect(rejected).toEqual([]);
    expect(events).toEqual([
      {
        type: 'login',
        ts: Date.parse('2024-05-01T11:59:00.000Z'),
        outcome: 'failure',
        errorCode: 'AUTH_TIMEOUT',
        appVersion: '5.2.0',
        platform: 'ios',
        osVersion: '17.4',
        region: 'eu',
        userId: 'u-1',
      },
    ]);
  });

  it('when an aggregate is valid, then it keeps its counts and its minute as epoch ms', () => {
    const { events } = validateEvents(schema, [aggregate({ minute: '2024-05-01T11:59:00Z' })], NOW);
    expect(events[0]).toMatchObject({ type: 'login_aggregate', minute: NOW - 60_000, attempts: 120, failures: 48 });
  });

  it.each([
    ['platform', login({ platform: 'windows' }), 'platform: expected one of ios|android'],
    ['type', login({ type: 'logout' }), 'type: expected one of login|login_aggregate'],
    ['missing type', { ts: NOW }, 'type: expected one of login|login_aggregate'],
    ['appVersion', login({ appVersion: undefined }), 'appVersion: required'],
    ['outcome', login({ outcome: 'maybe' }), 'outcome: expected one of success|failure'],
    ['outcome missing', login({ outcome: undefined }), 'outcome: required'],
    ['ts missing', login({ ts: undefined }), 'ts: required'],
    ['ts type', login({ ts: true }), 'ts'],
    ['ts not a time', login({ ts: 'yesterday' }), 'ts: expected an ISO-8601 time or epoch milliseconds'],
    ['ts too old', login({ ts: NOW - 25 * 3_600_000 }), 'ts: older than 24 hours'],
    ['ts in the future', login({ ts: NOW + 6 * 60_000 }), 'ts: more than 5 minutes in the future'],
    ['region charset', login({ region: 'eu|west' }), 'region: 1-64 characters'],
    ['osVersion too long', login({ osVersion: 'x'.repeat(65) }), 'osVersion: 1-64 characters'],
    ['errorCode empty', login({ errorCode: '' }), 'errorCode: 1-64 characters'],
    ['appVersion type', login({ appVersion: 520 }), 'appVersion: expected string'],
    ['userId too long', login({ userId: 'u'.repeat(257) }), 'userId'],
    ['userId control characters', login({ userId: 'a\nb' }), 'userId: no control characters'],
    ['failures > attempts', aggregate({ failures: 121 }), 'failures: must not exceed attempts'],
    ['negative failures', aggregate({ failures: -1 }), 'failures: must be >= 0'],
    ['fractional attempts', aggregate({ attempts: 1.5 }), 'attempts: expected an integer'],
    ['failedUsers > users', aggregate({ failedUsers: 111 }), 'failedUsers: must not exceed users'],
    ['codes > failures', aggregate({ failuresByErrorCode: { A: 40, B: 9 } }), 'failuresByErrorCode: the counts add up to more than failures'],
    ['code charset', aggregate({ failuresByErrorCode: { 'A B': 1 } }), 'failuresByErrorCode'],
    ['minute missing', aggregate({ minute: undefined }), 'minute: required'],
    ['not an object', 'login', 'type: expected one of login|login_aggregate'],
  ])('when %s is wrong, then the event is rejected naming the field', (_name, event, message) => {
    expect(errorOf(event)).toContain(message);
  });

  it('when one event of a batch is bad, then only that index is rejected', () => {
    const result = validateEvents(schema, [login(), login({ platform: 'web' }), aggregate()], NOW);
    expect(result.events).toHaveLength(2);
    expect(result.rejected).toEqual([{ index: 1, error: 'platform: expected one of ios|android' }]);
  });
});
