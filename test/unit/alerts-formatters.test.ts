import { createHmac } from 'node:crypto';
import { formatPagerDuty } from '../../src/alerts/formatters/pagerduty';
import { formatSlack } from '../../src/alerts/formatters/slack';
import { formatWebhook, LEGACY_SIGNATURE_HEADER, SIGNATURE_HEADER } from '../../src/alerts/formatters/webhook';
import { literalChannel, literalIncident, literalNotification, LITERAL_ACK_URL, LITERAL_INCIDENT_URL, T0 } from '../support/alerts-fixtures';

const ACK = LITERAL_ACK_URL;
const LINK = LITERAL_INCIDENT_URL;
const notification = literalNotification;

describe('webhook formatter', () => {
  it('when a secret is set, then the body carries event, dedupKey, the API incident and the ack link, signed', () => {
    const req = formatWebhook(notification({ channel: literalChannel({ secret: 's3cret-s3cret' }) }));
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      event: 'incident.opened',
      dedupKey: 'inc_0lg8xk2w0a1b2c3d4e5f6a7b8-opened-1',
      ackUrl: ACK,
      incident: { id: 'inc_0lg8xk2w0a1b2c3d4e5f6a7b8', status: 'open', detectedAt: '2023-04-12T14:02:00.000Z' },
    });
    expect(body.incident.suspectedCause.release.releasedAt).toBe('2023-04-12T13:40:00.000Z');
    const expected = createHmac('sha256', 's3cret-s3cret').update(req.body).digest('hex');
    expect(req.headers[LEGACY_SIGNATURE_HEADER]).toBe(`sha256=${expected}`);
    const t = Math.floor((T0 + 1500) / 1000);
    const timestamped = createHmac('sha256', 's3cret-s3cret').update(`${t}.${req.body}`).digest('hex');
    expect(req.headers[SIGNATURE_HEADER]).toBe(`t=${t},v1=${timestamped}`);
    expect(req.body).not.toContain('s3cret');
  });

  it('when no secret is set, then there is no signature header', () => {
    expect(formatWebhook(notification()).headers[SIGNATURE_HEADER]).toBeUndefined();
    expect(formatWebhook(notification()).headers[LEGACY_SIGNATURE_HEADER]).toBeUndefined();
  });

  it('when escalating, then the level is in the body', () => {
    expect(JSON.parse(formatWebhook(notification({ event: 'incident.escalated', level: 2 })).body)).toMatchObject({ event: 'incident.escalated', level: 2 });
  });
});

describe('slack formatter', () => {
  const slack = literalChannel({ type: 'slack', url: 'https://hooks.slack.com/services/T000/B000/XXXX' });

  it('when an incident opens, then the blocks give title, severity, culprit, impact and the ack and incident buttons', () => {
    const req = formatSlack(notification({ channel: slack }));
    expect(req.url).toBe('https://hooks.slack.com/services/T000/B000/XXXX');
    const msg = JSON.parse(req.body);
    expect(msg.unfurl_links).toBe(false);
    const text = JSON.stringify(msg.blocks);
    expect(text).toContain('Incident opened');
    expect(text).toContain('Login failures at 38% (baseline 1.5%)');
    expect(text).toContain('critical');
    expect(text).toContain('app version 5.2.0, released 13:40 UTC');
    expect(text).toContain('5230 failed logins, 4100 users affected (40% of active users)');
    const actions = msg.blocks.find((b: { type: string }) => b.type === 'actions');
    expect(actions.elements.map((e: { url: string }) => e.url)).toEqual([ACK, LINK]);
  });

  it('when the incident is resolved, then there is no acknowledge button', () => {
    const msg = JSON.parse(formatSlack(notification({ channel: slack, event: 'incident.resolved' })).body);
    const actions = msg.blocks.find((b: { type: string }) => b.type === 'actions');
    expect(actions.elements.map((e: { url: string }) => e.url)).toEqual([LINK]);
  });

  it('when the title holds mrkdwn control characters, then they are escaped', () => {
    const msg = formatSlack(notification({ channel: slack, incident: literalIncident({ title: 'a <b> & c' }) })).body;
    expect(msg).toContain('a &lt;b&gt; &amp; c');
  });
});

describe('pagerduty formatter', () => {
  const pd = literalChannel({ type: 'pagerduty', url: 'https://events.pagerduty.com/v2/enqueue', routingKey: 'R0UTING' });

  it('when an incident opens, then it triggers an Events v2 alert with a stable dedup_key and mapped severity', () => {
    const event = JSON.parse(formatPagerDuty(notification({ channel: pd })).body);
    expect(event).toMatchObject({
      routing_key: 'R0UTING',
      event_action: 'trigger',
      dedup_key: 'vigil-inc_0lg8xk2w0a1b2c3d4e5f6a7b8',
      payload: {
        summary: 'Login failures at 38% (baseline 1.5%) — app version 5.2.0, released 13:40 UTC',
        source: 'vigil/app_shop-ios',
        severity: 'critical',
        timestamp: '2023-04-12T14:02:00.000Z',
      },
      links: [{ href: ACK }, { href: LINK }],
    });
    expect(event.payload.custom_details.suspected_cause).toBe('app version 5.2.0, released 13:40 UTC');
  });

  it.each([
    ['major', 'error'],
    ['minor', 'warning'],
  ] as const)('when severity is %s, then PagerDuty severity is %s', (severity, expected) => {
    const event = JSON.parse(formatPagerDuty(notification({ channel: pd, incident: literalIncident({ severity }) })).body);
    expect(event.payload.severity).toBe(expected);
  });

  it('when escalating, then it re-triggers under the same dedup_key', () => {
    const event = JSON.parse(formatPagerDuty(notification({ channel: pd, event: 'incident.escalated', level: 2 })).body);
    expect(event).toMatchObject({ event_action: 'trigger', dedup_key: 'vigil-inc_0lg8xk2w0a1b2c3d4e5f6a7b8' });
    expect(event.payload.summary).toMatch(/^\[escalation 2\] /);
  });

  it.each([
    ['incident.acknowledged', 'acknowledge'],
    ['incident.resolved', 'resolve'],
  ] as const)('when the event is %s, then event_action is %s with the same dedup_key', (e, action) => {
    const event = JSON.parse(formatPagerDuty(notification({ channel: pd, event: e })).body);
    expect(event).toEqual({ routing_key: 'R0UTING', event_action: action, dedup_key: 'vigil-inc_0lg8xk2w0a1b2c3d4e5f6a7b8' });
  });
});
