import { UnrecoverableError } from 'bullmq';
import { checkJob } from '../../src/ingest/job-guard';

const login = { type: 'login', ts: 1_714_557_600_000, outcome: 'failure', errorCode: 'E1', appVersion: '5.2.0', platform: 'ios', userId: 'u 1' };
const aggregate = {
  type: 'login_aggregate',
  minute: 1_714_557_600_000,
  attempts: 10,
  failures: 2,
  users: 9,
  failuresByErrorCode: { AUTH_TIMEOUT: 2 },
  appVersion: '5.2.0',
  platform: 'android',
  region: 'eu',
};
const job = (events: unknown[], over: Record<string, unknown> = {}) => ({ app: 'shop', receivedAt: 1, events, ...over });

describe('the aggregation worker\'s guard on job data', () => {
  it('when the job is what the API queues, then it is handed on as is, without a copy', () => {
    const data = job([login, aggregate]);
    expect(checkJob(data)).toBe(data);
  });

  it.each([
    ['not an object', null, '(root)'],
    ['an app id that would break the key layout', job([], { app: 'x:y}' }), 'app'],
    ['a fractional receive time', job([], { receivedAt: 1.5 }), 'receivedAt'],
    ['events that are not a list', job([], { events: 'nope' }), 'events'],
    ['an unknown event type', job([{ ...login, type: 'logout' }]), 'events.0.type'],
    ['a slice value with a separator', job([login, { ...login, appVersion: 'a|b' }]), 'events.1.appVersion'],
    ['an unknown platform', job([{ ...login, platform: 'web' }]), 'events.0.platform'],
    ['a user id with a newline', job([{ ...login, userId: 'a\nb' }]), 'events.0.userId'],
    ['a negative count', job([{ ...aggregate, failures: -1 }]), 'events.0.failures'],
    ['a count that is a string', job([{ ...aggregate, attempts: '10' }]), 'events.0.attempts'],
    ['an error code with a space', job([{ ...aggregate, failuresByErrorCode: { 'a b': 1 } }]), 'events.0.failuresByErrorCode'],
    ['an event time that is not a number', job([{ ...login, ts: '2024-05-01T10:00:00Z' }]), 'events.0.ts'],
  ])('when the data has %s, then the job fails for good naming the field', (_name, data, field) => {
    expect(() => checkJob(data)).toThrow(UnrecoverableError);
    expect(() => checkJob(data)).toThrow(`invalid ingest-batch job: ${field}`);
  });
});
