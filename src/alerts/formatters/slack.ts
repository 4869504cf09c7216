import { describeCause, describeImpact } from '../../domain/incident-machine';
import { headline, JSON_HEADERS, wantsAction, type Formatter } from '../notification';

const SEVERITY_MARK = { critical: ':red_circle:', major: ':large_orange_circle:', minor: ':large_yellow_circle:' } as const;

/** Slack mrkdwn treats these three as control characters; everything else is shown as written. */
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An incoming-webhook message: a header, the title, severity and culprit, impact, then buttons to act. */
export const formatSlack: Formatter = (n) => {
  const { incident } = n;
  const buttons = [
    ...(wantsAction(n.event)
      ? [{ type: 'button', style: 'primary', text: { type: 'plain_text', text: 'Acknowledge' }, url: n.ackUrl }]
      : []),
    { type: 'button', text: { type: 'plain_text', text: 'Open incident' }, url: n.incidentUrl },
  ];
  const message = {
    // The notification text phones show; blocks are what the channel renders.
    text: `${SEVERITY_MARK[incident.severity]} [${incident.severity}] ${headline(n)}: ${incident.title}`,
    // The ack link acknowledges on GET: Slack must not fetch it to build a preview.
    unfurl_links: false,
    unfurl_media: false,
    blocks: [
      // The headline is short by construction; the (unbounded) title goes in a section, not the 150-char header.
      { type: 'header', text: { type: 'plain_text', text: headline(n) } },
      { type: 'section', text: { type: 'mrkdwn', text: `*${escape(incident.title)}*` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Severity*\n${SEVERITY_MARK[incident.severity]} ${incident.severity}` },
          { type: 'mrkdwn', text: `*Status*\n${incident.status}` },
          { type: 'mrkdwn', text: `*Suspected cause*\n${escape(describeCause(incident.suspectedCause))}` },
          { type: 'mrkdwn', text: `*Started*\n${new Date(incident.startedAt).toISOString()}` },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: `*Impact*\n${escape(describeImpact(incident.impact))}` } },
      { type: 'actions', elements: buttons },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `app ${escape(incident.app)} · ${incident.id} · ${n.dedupKey}` }] },
    ],
  };
  return { url: n.channel.url, headers: { ...JSON_HEADERS }, body: JSON.stringify(message) };
};
