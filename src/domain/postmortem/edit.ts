import type { Measure, PostmortemContent, Task } from '../types';

/** The fields reviewers write; facts and timeline stay what Vigil measured. */
export const EDITABLE_FIELDS = ['title', 'summary', 'rootCause', 'resolution', 'measures', 'tasks'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/** A measure or task as a reviewer sends it: without an id when it is new. */
export type MeasureInput = { id?: string; text: string };
export type TaskInput = { id?: string; title: string; owner?: string | null; status?: Task['status']; dueDate?: string | null };

export interface ContentPatch {
  title?: string;
  summary?: string;
  rootCause?: string;
  resolution?: string;
  /** Each list given replaces that list; a list left out stays as it is. */
  measures?: { immediate?: MeasureInput[]; preventive?: MeasureInput[] };
  tasks?: TaskInput[];
}

/** Applies a reviewer's patch; `newId` names the measures and tasks that arrive without one. */
export function applyEdit(
  content: PostmortemContent,
  patch: ContentPatch,
  newId: (kind: 'measure' | 'task') => string,
): { content: PostmortemContent; fields: EditableField[] } {
  const measures = (kind: Measure['kind'], list: MeasureInput[] | undefined): Measure[] =>
    list ? list.map((m) => ({ id: m.id ?? newId('measure'), kind, text: m.text })) : content.measures[kind];
  const next: PostmortemContent = {
    ...content,
    title: patch.title ?? content.title,
    summary: patch.summary ?? content.summary,
    rootCause: patch.rootCause ?? content.rootCause,
    resolution: patch.resolution ?? content.resolution,
    measures: {
      immediate: measures('immediate', patch.measures?.immediate),
      preventive: measures('preventive', patch.measures?.preventive),
    },
    tasks: patch.tasks
      ? patch.tasks.map((t) => ({
          id: t.id ?? newId('task'),
          title: t.title,
          owner: t.owner ?? null,
          status: t.status ?? 'open',
          dueDate: t.dueDate ?? null,
        }))
      : content.tasks,
  };
  return { content: next, fields: EDITABLE_FIELDS.filter((f) => patch[f] !== undefined) };
}

/**
 * A fresh draft (after a relapse resolved again) that keeps whatever reviewers already rewrote: their fields win,
 * the rest, facts and timeline included, come from the new draft.
 */
export function keepEdited(fresh: PostmortemContent, current: PostmortemContent, edited: ReadonlySet<string>): PostmortemContent {
  const pick = <K extends EditableField>(field: K): PostmortemContent[K] => (edited.has(field) ? current[field] : fresh[field]);
  return {
    ...fresh,
    title: pick('title'),
    summary: pick('summary'),
    rootCause: pick('rootCause'),
    resolution: pick('resolution'),
    measures: pick('measures'),
    tasks: pick('tasks'),
  };
}
