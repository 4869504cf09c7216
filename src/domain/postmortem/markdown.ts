import { describeCause } from '../incident-machine';
import type { Measure, Postmortem, PostmortemFacts, Task, TimelineEntry } from '../types';
import { acknowledgementDelayMs, pageDelayMs } from './facts';
import { count, duration, percent, utcDate, utcTime } from '../format';

/**
 * The postmortem as a document that stands on its own, in the seed postmortem's structure. Prose comes from the
 * (editable) content; the key-facts lines come from the numbers Vigil measured, so edits never blur them.
 */
export function postmortemMarkdown(pm: Postmortem): string {
  const c = pm.content;
  return [
    `# Postmortem: ${inline(c.title)}`,
    meta(pm),
    '## Incident Summary',
    block(c.summary),
    keyFacts(c.facts),
    '## Timeline',
    timeline(c.timeline),
    '## Root Cause and Resolution',
    block(c.rootCause),
    block(c.resolution),
    '## Corrective and Preventive Measures',
    '### Immediate',
    measures(c.measures.immediate),
    '### Preventive',
    measures(c.measures.preventive),
    '## Tasks',
    tasks(c.tasks),
  ].join('\n\n') + '\n';
}

const stamp = (ms: number) => `${utcDate(ms)} ${utcTime(ms)} UTC`;

function meta(pm: Postmortem): string {
  const parts = [`Status: **${pm.status.replace('_', ' ')}**`, `incident \`${pm.incidentId}\``, `app \`${pm.app}\``, `drafted by Vigil ${stamp(pm.createdAt)}`];
  const lastEdit = pm.edits.at(-1);
  if (lastEdit) parts.push(`last change by ${inline(lastEdit.by)} ${stamp(lastEdit.at)}`);
  if (pm.publishedAt !== null) parts.push(`published ${stamp(pm.publishedAt)}`);
  return `*${parts.join(' · ')}*`;
}

function keyFacts(f: PostmortemFacts): string {
  const sameDay = utcDate(f.startedAt) === utcDate(f.resolvedAt);
  const end = sameDay ? utcTime(f.resolvedAt) : `${utcDate(f.resolvedAt)} ${utcTime(f.resolvedAt)}`;
  const page = pageDelayMs(f);
  const ack = acknowledgementDelayMs(f);
  const cause = f.suspectedCause;
  return [
    `- **Duration:** ${duration(f.durationMs)} (${utcDate(f.startedAt)} ${utcTime(f.startedAt)} → ${end} UTC)`,
    `- **Impact:** ${percent(f.peakErrorRate)} of logins failing at the peak (baseline ${percent(f.baselineErrorRate)}); ` +
      `${count(f.failedLogins)} failed logins; ${count(f.affectedUsers)} users affected (${percent(f.affectedUserPct)} of active users)`,
    `- **Root cause (suspected by Vigil):** ${describeCause(cause)}${cause ? ` (${percent(cause.share)} of the excess)` : ''}`,
    `- **Detection:** ${duration(f.detectionLagMs)} after the start; ` +
      (page === null ? 'nobody paged; ' : `first page ${duration(page)} after detection; `) +
      (ack === null ? 'never acknowledged' : `acknowledged ${duration(ack)} after ${page === null ? 'detection' : 'the page'}`),
  ].join('\n');
}

/** One line per entry; the date is repeated only when it changes, so a long night still reads unambiguously. */
function timeline(entries: TimelineEntry[]): string {
  let day = '';
  const lines = entries.map((e) => {
    const date = utcDate(e.at);
    const when = date === day ? utcTime(e.at) : `${date} ${utcTime(e.at)}`;
    day = date;
    const by = e.by && !e.message.includes(e.by) ? ` (${inline(e.by)})` : '';
    return `- **${when}** — ${inline(e.message)}${by}`;
  });
  return ['All times UTC.', lines.join('\n')].join('\n\n');
}

function measures(list: Measure[]): string {
  return list.length === 0 ? '- None.' : list.map((m) => `- ${inline(m.text)}`).join('\n');
}

function tasks(list: Task[]): string {
  if (list.length === 0) return 'No tasks.';
  const rows = list.map((t) => `| ${cell(t.title)} | ${cell(t.owner ?? '—')} | ${t.status.replace('_', ' ')} | ${t.dueDate ?? '—'} |`);
  return ['| Task | Owner | Status | Due |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/**
 * Operator text is data, not markup: the document is pasted into wikis and rendered, so raw HTML (an `<img>` that
 * calls home, a `<script>`) must not survive, nor a line that fakes one of the document's own headings.
 *
 * One-line values (title, names, timeline, measures, task cells) are shown exactly as typed: every character Markdown
 * could read as syntax is backslash-escaped.
 */
const inline = (text: string) => text.replace(/\s*\n\s*/g, ' ').replace(/[\\`*_[\]<>#|~!]/g, '\\$&');

/**
 * Prose (summary, root cause, resolution) keeps the reviewer's Markdown (lists, emphasis, links) but not raw HTML,
 * and a line that would become a heading (`#`, or a `===`/`---` underline) is escaped into plain text.
 */
const block = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/^(\s*)(#|=+\s*$|-+\s*$)/gm, '$1\\$2');

const cell = inline;
