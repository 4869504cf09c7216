import { UnrecoverableError } from 'bullmq';
import { foldBatch } from '../../src/counters/delta';
import { checkJob } from '../../src/ingest/job-guard';

const T = 1_714_557_600_000;
const delta = foldBatch([
  { type: 'login', ts: T, outcome: 'failure', errorCode: 'E1', appVersion: '5.2.0', platform: 'ios', userId: 'u 1' },
  { type: 'login_aggregate', minute: T, attempts: 10, failures: 2, users: 9, failuresByErrorCode: { AUTH_TIMEOUT: 2 }, appVersion: '5.2.0', platform: 'android', region: 'eu' },
]);
const minute = delta.minutes[0]!;
const job = (over: Record<string, unknown> = {}) => ({ app: 'shop', receivedAt: 1, delta, ...over });
const withMinute = (over: Record<string, unknown>) => job({ delta: { minutes: [{ ...minute, ...over }] } });

describe('the aggregation worker\'s guard on job data', () => {
  it('when the job is what the API queues, then it is handed on as is, without a copy', () => {
    const data = JSON.parse(JSON.stringify(job())) as unknown;
    expect(checkJob(data)).toBe(data);
  });

  it('when a job holds raw events (queued by the previous release\'s API), then they are checked and folded here', () => {
    const events = [
      { type: 'login', ts: T, outcome: 'failure', errorCode: 'E1', appVersion: '5.2.0', platform: 'ios', userId: 'u 1' },
      { type: 'login_aggregate', minute: T, attempts: 10, failures: 2, appVersion: '5.2.0', platform: 'android' },
    ];
    expect(checkJob({ app: 'shop', receivedAt: T + 1000, events })).toEqual({ app: 'shop', receivedAt: T + 1000, delta: foldBatch(events as never) });
    expect(() => checkJob({ app: 'shop', receivedAt: T, events: [events[0], { ...events[0], appVersion: 'a|b' }] })).toThrow(
      'invalid ingest-batch job: events.1',
    );
    expect(() => checkJob({ app: 'x:y}', receivedAt: T, events })).toThrow('invalid ingest-batch job: app');
  });

  it.each([
    ['not an object', null, '(root)'],
    ['an app id that would break the key layout', job({ app: 'x:y}' }), 'app'],
    ['a fractional receive time', job({ receivedAt: 1.5 }), 'receivedAt'],
    ['no delta', job({ delta: undefined }), 'delta.minutes'],
    ['minutes that are not a list', job({ delta: { minutes: 'nope' } }), 'delta.minutes'],
    ['a bucket that does not start a minute', withMinute({ at: T + 1 }), 'delta.minutes.0.at'],
    ['a slice value with a separator', withMinute({ fields: { 'a|v|a|b': 1 } }), 'delta.minutes.0.fields.a|v|a|b'],
    ['an unknown measure', withMinute({ fields: { x: 1 } }), 'delta.minutes.0.fields.x'],
    ['an error code counted as attempts', withMinute({ fields: { 'a|e|E1': 1 } }), 'delta.minutes.0.fields.a|e|E1'],
    ['a negative count', withMinute({ fields: { a: -1 } }), 'delta.minutes.0.fields.a'],
    ['a count that is a string', withMinute({ fields: { a: '10' } }), 'delta.minutes.0.fields.a'],
    ['a user field that is no HyperLogLog', withMinute({ users: { a: 'u1' } }), 'delta.minutes.0.users.a'],
    ['a user id with a control character', withMinute({ users: { u: 'a\u0000b' } }), 'delta.minutes.0.users.u'],
    ['user ids that are not a string', withMinute({ users: { u: ['a'] } }), 'delta.minutes.0.users.u'],
  ])('when the data has %s, then the job fails for good naming the field', (_name, data, field) => {
    expect(() => checkJob(data)).toThrow(UnrecoverableError);
    expect(() => checkJob(data)).toThrow(`invalid ingest-batch job: ${field}`);
  });
});
