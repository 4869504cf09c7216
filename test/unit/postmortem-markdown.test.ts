import { draftPostmortem } from '../../src/domain/postmortem/draft';
import { postmortemMarkdown } from '../../src/domain/postmortem/markdown';
import type { Postmortem, PostmortemContent } from '../../src/domain/types';
import { at, seedIncident } from './postmortem-fixtures';

function postmortem(content: PostmortemContent, overrides: Partial<Postmortem> = {}): Postmortem {
  return {
    id: 'pm_1',
    incidentId: 'inc_seed',
    app: 'app_shop',
    status: 'draft',
    content,
    edits: [],
    createdAt: at('17:31'),
    updatedAt: at('17:31'),
    publishedAt: null,
    version: 1,
    ...overrides,
  };
}

const SEED_HEADINGS = [
  '# Postmortem: Login failures in app version 5.2.0, 2023-04-12',
  '## Incident Summary',
  '## Timeline',
  '## Root Cause and Resolution',
  '## Corrective and Preventive Measures',
  '### Immediate',
  '### Preventive',
  '## Tasks',
];

describe('postmortemMarkdown', () => {
  const md = postmortemMarkdown(postmortem(draftPostmortem(seedIncident(), at('17:31'))));
  const lines = md.split('\n');

  it('when the seed draft is rendered, then it has the seed postmortem’s headings in order', () => {
    expect(lines.filter((l) => l.startsWith('#'))).toEqual(SEED_HEADINGS);
  });

  it('then the summary carries the key facts formatted for people', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        '- **Duration:** 3 h 30 min (2023-04-12 14:00 → 17:30 UTC)',
        '- **Impact:** 38% of logins failing at the peak (baseline 1.5%); 5,230 failed logins; 4,100 users affected (40% of active users)',
        '- **Root cause (suspected by Vigil):** app version 5.2.0, released 14:00 UTC (97% of the excess)',
        '- **Detection:** 2 min after the start; first page 1 min after detection; acknowledged 21 min after the page',
      ]),
    );
  });

  it('then the timeline has one UTC line per entry, with the date once', () => {
    const start = lines.indexOf('## Timeline');
    expect(lines.slice(start, start + 12)).toEqual([
      '## Timeline',
      '',
      'All times UTC.',
      '',
      '- **2023-04-12 14:00** — App version 5.2.0 released',
      '- **14:00** — Anomaly began (estimated change point) in app version 5.2.0, released 14:00 UTC',
      '- **14:02** — Vigil detected: Login failures at 38% (baseline 1.5%)',
      '- **14:03** — Paged on-call via pagerduty',
      '- **14:18** — Escalated: not acknowledged after 15 min',
      '- **14:24** — Acknowledged by dana',
      '- **15:10** — Servers look healthy; checking the app release (dana)',
      '- **17:30** — Resolved by dana: rolled back to 5.1.3',
    ]);
  });

  it('then measures are listed under Immediate and Preventive, and tasks form a table', () => {
    const immediate = lines.indexOf('### Immediate');
    expect(lines[immediate + 2]).toBe('- Halt the rollout of 5.2.0 and roll back (or ship a fixed build) so its users can log in again.');
    const tasks = lines.indexOf('## Tasks');
    expect(lines.slice(tasks + 2, tasks + 5)).toEqual([
      '| Task | Owner | Status | Due |',
      '| --- | --- | --- | --- |',
      '| Halt the 5.2.0 rollout and ship a fixed build | — | open | 2023-04-19 |',
    ]);
    expect(md.endsWith('| Review the on-call escalation policy | — | open | 2023-04-26 |\n')).toBe(true);
  });

  it('then the status line says it is a draft drafted by Vigil', () => {
    expect(lines[2]).toBe('*Status: **draft** · incident `inc_seed` · app `app_shop` · drafted by Vigil 2023-04-12 17:31 UTC*');
  });

  it('when edited, published and crossing midnight, then the status line, dates and table cells stay readable', () => {
    const draft = draftPostmortem(
      seedIncident({ resolvedAt: at('00:20', '2023-04-13'), timeline: [{ at: at('00:20', '2023-04-13'), type: 'resolved', message: 'Resolved' }] }),
      at('01:00', '2023-04-13'),
    );
    const content: PostmortemContent = {
      ...draft,
      measures: { immediate: [], preventive: draft.measures.preventive },
      tasks: [{ id: 't1', title: 'Fix the a|b\nswitch', owner: 'dana', status: 'in_progress', dueDate: null }],
    };
    const text = postmortemMarkdown(
      postmortem(content, {
        status: 'published',
        edits: [{ at: at('09:00', '2023-04-13'), by: 'lee', fields: ['status'] }],
        publishedAt: at('09:00', '2023-04-13'),
      }),
    );
    expect(text).toContain(
      '*Status: **published** · incident `inc_seed` · app `app_shop` · drafted by Vigil 2023-04-12 17:31 UTC · ' +
        'last change by lee 2023-04-13 09:00 UTC · published 2023-04-13 09:00 UTC*',
    );
    expect(text).toContain('- **Duration:** 10 h 20 min (2023-04-12 14:00 → 2023-04-13 00:20 UTC)');
    expect(text).toContain('- **2023-04-13 00:20** — Resolved\n');
    expect(text).toContain('### Immediate\n\n- None.\n');
    expect(text).toContain('| Fix the a\\|b switch | dana | in progress | — |');
  });

  it('when reviewers type markup, then raw HTML and fake headings do not survive, and one-line values read as typed', () => {
    const draft = draftPostmortem(seedIncident(), at('17:31'));
    const content: PostmortemContent = {
      ...draft,
      title: 'Logins <img src=x onerror=alert(1)> *down*',
      summary: 'Users **could not** log in.\n## Timeline\n<script>alert(1)</script> & more',
      rootCause: 'A bad build\n===',
      measures: { immediate: [{ id: 'm1', kind: 'immediate', text: '[click](http://evil) <b>now</b>' }], preventive: [] },
      tasks: [{ id: 't1', title: '# not a heading', owner: '<i>dana</i>', status: 'open', dueDate: null }],
    };
    const text = postmortemMarkdown(postmortem(content, { edits: [{ at: at('18:00'), by: '**lee**', fields: ['summary'] }] }));
    // An HTML tag opens with a `<` that is not backslash-escaped.
    expect(text).not.toMatch(/(^|[^\\])<\/?[a-z]/im);
    expect(text.split('\n').filter((l) => l.startsWith('#'))).toEqual(SEED_HEADINGS.map((h) => (h.startsWith('# ') ? '# Postmortem: Logins \\<img src=x onerror=alert(1)\\> \\*down\\*' : h)));
    expect(text).toContain('Users **could not** log in.\n\\## Timeline\n&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(text).toContain('A bad build\n\\===');
    expect(text).toContain('- \\[click\\](http://evil) \\<b\\>now\\</b\\>');
    expect(text).toContain('| \\# not a heading | \\<i\\>dana\\</i\\> | open | — |');
    expect(text).toContain('last change by \\*\\*lee\\*\\*');
  });
});
