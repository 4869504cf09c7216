import { channelBody, emptyChannel } from '../src/channel-form';
import { formOf, patchOf, validate, type PostmortemForm } from '../src/postmortem-form';
import type { Postmortem } from '../src/types';

const postmortem = {
  summary: 'For 3 h 30 min, 38% of logins failed.',
  rootCause: 'Version 5.2.0 broke the token refresh.',
  resolution: 'Rolled back.',
  measures: { immediate: [{ id: 'msr_1', kind: 'immediate', text: 'Halt the rollout' }], preventive: [] },
  tasks: [{ id: 'task_1', title: 'Gate rollouts', owner: null, status: 'open', dueDate: null }],
} as unknown as Postmortem;

describe('postmortem form', () => {
  it('when nothing was changed, then there is nothing to send', () => {
    expect(patchOf(formOf(postmortem), formOf(postmortem))).toBeNull();
  });

  it('when fields are edited, then only they are sent, lists whole, new rows without ids, blanks as null', () => {
    const original = formOf(postmortem);
    const form: PostmortemForm = {
      ...original,
      rootCause: '  The 5.2.0 token refresh called a retired endpoint.  ',
      tasks: [...original.tasks, { title: 'Contract test', owner: ' dana ', status: 'in_progress', dueDate: '2030-01-15' }],
    };
    expect(patchOf(original, form)).toEqual({
      rootCause: 'The 5.2.0 token refresh called a retired endpoint.',
      tasks: [
        { id: 'task_1', title: 'Gate rollouts', owner: null, status: 'open', dueDate: null },
        { title: 'Contract test', owner: 'dana', status: 'in_progress', dueDate: '2030-01-15' },
      ],
    });
  });

  it('when a measure list changes, then that list alone is sent', () => {
    const original = formOf(postmortem);
    const patch = patchOf(original, { ...original, preventive: [{ text: 'Alert on the new version' }] });
    expect(patch).toEqual({ measures: { preventive: [{ text: 'Alert on the new version' }] } });
  });

  it('when fields are empty, too long or not a date, then each problem is named by its API field path', () => {
    const original = formOf(postmortem);
    const errors = validate({
      ...original,
      summary: '   ',
      resolution: 'x'.repeat(20_001),
      immediate: [{ text: '' }],
      tasks: [{ title: 'ok', owner: 'o'.repeat(101), status: 'open', dueDate: '15/01/2030' }],
    });
    expect(Object.keys(errors).sort()).toEqual(['measures.immediate.0.text', 'resolution', 'summary', 'tasks.0.dueDate', 'tasks.0.owner']);
    expect(errors.resolution).toMatch(/At most 20,000 characters/);
    expect(validate(original)).toEqual({});
  });
});

describe('new channel form', () => {
  it('when a webhook is added, then the routing key is left out and blanks are not sent', () => {
    expect(channelBody({ ...emptyChannel, url: ' https://hooks.example.com/v ', secret: 'shh-0123456789', routingKey: 'stale' })).toEqual({
      type: 'webhook',
      url: 'https://hooks.example.com/v',
      secret: 'shh-0123456789',
      minSeverity: 'minor',
    });
  });

  it('when PagerDuty is chosen, then the routing key goes and a typed secret does not; apps and escalation when given', () => {
    expect(
      channelBody({ ...emptyChannel, type: 'pagerduty', url: 'https://events.pagerduty.com/v2/enqueue', secret: 'typed-before', routingKey: ' R0UT1NG ', apps: ['app_1'], minSeverity: 'major', escalateAfterMinutes: '15' }),
    ).toEqual({ type: 'pagerduty', url: 'https://events.pagerduty.com/v2/enqueue', routingKey: 'R0UT1NG', apps: ['app_1'], minSeverity: 'major', escalateAfterMinutes: 15 });
  });
});
