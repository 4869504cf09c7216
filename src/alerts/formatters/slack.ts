import { describeCause, describeImpact } from '../../domain/incident-machine';
import { headline, JSON_HEADERS, wantsAction, type Formatter } from '../notification';
import { mrkdwn } from './text';

const SEVERITY_MARK = { critical: ':red_circle:', major: ':large_orange_circle:', minor: ':large_yellow_circle:' } as const;

/** Slack's limits (Block Kit reference): a section's text, one of its fields, and what we allow the fallback text. */
export const SLACK_SECTION_MAX = 3000;
export const SLACK_FIELD_MAX = 2000;

/** A bold label over a value, the value escaped and cut so the whole fits in `max`. */
const labelled = (label: string, value: string, max: number) => `*${label}*\n${mrkdwn(value, max - label.length - 3)}`;

/** An incoming-webhook message: a header, the title, severity and culprit, impact, then buttons to act. */
export const formatSlack: Formatter = (n) => {
  const { incident } = n;
  const mark = SEVERITY_MARK[incident.severity];
  const buttons = [
    ...(wantsAction(n.event)
      ? [{ type: 'button', style: 'primary', text: { type: 'plain_text', text: 'Acknowledge' }, url: n.ackUrl }]
      : []),
    { type: 'button', text: { type: 'plain_text', text: 'Open incident' }, url: n.incidentUrl },
  ];
  const lead = `${mark} [${incident.severity}] ${headline(n)}: `;
  const message = {
    // The notification text phones show; blocks are what the channel renders. Slack reads it as mrkdwn too.
    text: lead + mrkdwn(incident.title, SLACK_SECTION_MAX - lead.length),
    // Unfurling would fetch the links: the ack link only shows a confirmation page, but a preview helps nobody.
    unfurl_links: false,
    unfurl_media: false,
    blocks: [
      // The headline is short by construction; the (unbounded) title goes in a section, not the 150-char header.
      { type: 'header', text: { type: 'plain_text', text: headline(n) } },
      { type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(incident.title, SLACK_SECTION_MAX - 2)}*` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Severity*\n${mark} ${incident.severity}` },
          { type: 'mrkdwn', text: `*Status*\n${incident.status}` },
          { type: 'mrkdwn', text: labelled('Suspected cause', describeCause(incident.suspectedCause), SLACK_FIELD_MAX) },
          { type: 'mrkdwn', text: `*Started*\n${new Date(incident.startedAt).toISOString()}` },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: labelled('Impact', describeImpact(incident.impact), SLACK_SECTION_MAX) } },
      { type: 'actions', elements: buttons },
      { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(`app ${incident.app} · ${incident.id} · ${n.dedupKey}`, SLACK_SECTION_MAX) }] },
    ],
  };
  return { url: n.channel.url, headers: { ...JSON_HEADERS }, body: JSON.stringify(message) };
};
