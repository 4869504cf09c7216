import { formatPagerDuty, PAGERDUTY_SUMMARY_MAX } from '../../src/alerts/formatters/pagerduty';
import { formatSlack, SLACK_FIELD_MAX, SLACK_SECTION_MAX } from '../../src/alerts/formatters/slack';
import { mrkdwn, truncate } from '../../src/alerts/formatters/text';
import type { Notification } from '../../src/alerts/notification';
import { literalChannel, literalIncident, literalNotification } from '../support/alerts-fixtures';

/** Code points, as Slack and PagerDuty count characters. */
const chars = (s: string) => Array.from(s).length;
/** A lone surrogate means a pair was split: the string is no longer valid UTF-16 text. */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

const EMOJI = '🔥';
const LONG_EMOJI_TITLE = `Login failures at 38% ${EMOJI.repeat(4000)}`;
const PING = '<!channel> & <@U123> <https://evil.example|click>';

const slackChannel = literalChannel({ type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/X' });
const notification = (overrides: Partial<Notification> = {}) => literalNotification({ channel: slackChannel, ...overrides });

interface SlackText {
  type: string;
  text: string;
}
interface SlackBlock {
  type: string;
  text?: SlackText;
  fields?: SlackText[];
  elements?: SlackText[];
}
const slackOf = (n: Notification) => JSON.parse(formatSlack(n).body) as { text: string; blocks: SlackBlock[] };
/** Every mrkdwn string of a message, with the limit Slack applies to it. */
function mrkdwnTexts(msg: { text: string; blocks: SlackBlock[] }): Array<{ text: string; max: number }> {
  return [
    { text: msg.text, max: SLACK_SECTION_MAX },
    ...msg.blocks.flatMap((b) => [
      ...(b.type === 'section' && b.text ? [{ text: b.text.text, max: SLACK_SECTION_MAX }] : []),
      ...(b.fields ?? []).map((f) => ({ text: f.text, max: SLACK_FIELD_MAX })),
      ...(b.type === 'context' ? (b.elements ?? []).map((e) => ({ text: e.text, max: SLACK_SECTION_MAX })) : []),
    ]),
  ];
}

describe('text limits', () => {
  it('when text is longer than the limit, then it is cut by code points and ends in "…", never splitting an emoji', () => {
    const cut = truncate(EMOJI.repeat(10), 5);
    expect(cut).toBe(`${EMOJI.repeat(4)}…`);
    expect(wellFormed(cut)).toBe(true);
    expect(truncate('short', 5)).toBe('short');
    // 4 emoji are 8 UTF-16 units but 4 characters: within a limit of 5.
    expect(truncate(EMOJI.repeat(4), 5)).toBe(EMOJI.repeat(4));
  });

  it('when escaped mrkdwn is cut, then no half entity is left behind', () => {
    const cut = mrkdwn(`${'a'.repeat(8)}&b`, 10);
    // "aaaaaaaa&amp;b" cut to 10 would end "a&…"; the partial entity goes instead.
    expect(cut).toBe(`${'a'.repeat(8)}…`);
    expect(mrkdwn('<!channel>', 100)).toBe('&lt;!channel&gt;');
  });
});

describe('slack limits', () => {
  it('when the title, culprit and app carry <!channel>, & and >, then every mrkdwn text and the fallback text are escaped', () => {
    const incident = literalIncident({
      title: `Login failures ${PING}`,
      app: 'app_<!here>',
      suspectedCause: { dimension: 'region', value: PING, share: 0.9, release: null },
    });
    const msg = slackOf(notification({ incident }));
    const texts = mrkdwnTexts(msg).map((t) => t.text);
    expect(texts.join('\n')).not.toMatch(/<!|<@|<https/);
    expect(msg.text).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(texts.some((t) => t.includes('region &lt;!channel&gt;'))).toBe(true);
    expect(texts.some((t) => t.includes('app app_&lt;!here&gt;'))).toBe(true);
  });

  it('when values are thousands of emoji long, then sections stay within 3,000 and fields within 2,000 characters, well formed', () => {
    const incident = literalIncident({
      title: LONG_EMOJI_TITLE,
      suspectedCause: { dimension: 'osVersion', value: `${EMOJI}<&>`.repeat(1500), share: 0.9, release: null },
    });
    const msg = slackOf(notification({ incident }));
    for (const { text, max } of mrkdwnTexts(msg)) {
      expect(chars(text)).toBeLessThanOrEqual(max);
      expect(wellFormed(text)).toBe(true);
    }
    const title = msg.blocks[1]!.text!.text;
    expect(title.startsWith('*Login failures at 38%')).toBe(true);
    expect(title.endsWith('…*')).toBe(true);
    const cause = msg.blocks[2]!.fields![2]!.text;
    expect(cause.startsWith('*Suspected cause*\nOS version ')).toBe(true);
    expect(cause.endsWith('…')).toBe(true);
  });
});

describe('pagerduty limits', () => {
  const pd = literalChannel({ type: 'pagerduty', url: 'https://events.pagerduty.com/v2/enqueue', routingKey: 'a'.repeat(32) });

  it('when the title is thousands of emoji long, then the summary is at most 1,024 characters, ends in "…" and splits no emoji', () => {
    const event = JSON.parse(formatPagerDuty(notification({ channel: pd, event: 'incident.escalated', level: 2, incident: literalIncident({ title: LONG_EMOJI_TITLE }) })).body);
    const summary = event.payload.summary as string;
    expect(chars(summary)).toBe(PAGERDUTY_SUMMARY_MAX);
    expect(summary.startsWith('[escalation 2] Login failures')).toBe(true);
    expect(summary.endsWith(`${EMOJI}…`)).toBe(true);
    expect(wellFormed(summary)).toBe(true);
  });
});
