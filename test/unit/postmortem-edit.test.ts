import { draftPostmortem } from '../../src/domain/postmortem/draft';
import { applyEdit, keepEdited } from '../../src/domain/postmortem/edit';
import { at, seedIncident } from './postmortem-fixtures';

describe('postmortem edits', () => {
  const draft = draftPostmortem(seedIncident(), at('17:31'));
  let n = 0;
  const newId = (kind: 'measure' | 'task') => `${kind}-${++n}`;

  it('when a reviewer replaces one list of measures and the tasks, then the rest stays and new items get ids', () => {
    const { content, fields } = applyEdit(
      draft,
      { summary: 'Rewritten.', measures: { preventive: [{ text: 'Canary 5% for a day' }] }, tasks: [{ title: 'Write the canary', owner: 'lee' }] },
      newId,
    );
    expect(fields).toEqual(['summary', 'measures', 'tasks']);
    expect(content.summary).toBe('Rewritten.');
    expect(content.measures.immediate).toBe(draft.measures.immediate);
    expect(content.measures.preventive).toEqual([{ id: 'measure-1', kind: 'preventive', text: 'Canary 5% for a day' }]);
    expect(content.tasks).toEqual([{ id: 'task-2', title: 'Write the canary', owner: 'lee', status: 'open', dueDate: null }]);
    expect(content.facts).toBe(draft.facts);
  });

  it('when a relapse is re-drafted, then the fields reviewers edited are kept and everything else is fresh', () => {
    const fresh = draftPostmortem(seedIncident({ resolvedAt: at('18:30') }), at('18:31'));
    const edited = { ...draft, rootCause: 'Token refresh bug.' };
    const merged = keepEdited(fresh, edited, new Set(['rootCause']));
    expect(merged).toEqual({ ...fresh, rootCause: 'Token refresh bug.' });
  });
});
