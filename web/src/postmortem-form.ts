import type { Postmortem, TaskStatus } from './types';

/** Limits the API enforces, checked before sending so the reviewer sees the problem by the field. */
export const LIMITS = { text: 20_000, measure: 2_000, taskTitle: 500, owner: 100, measures: 50, tasks: 100 } as const;

export interface MeasureRow {
  id?: string;
  text: string;
}

export interface TaskRow {
  id?: string;
  title: string;
  owner: string;
  status: TaskStatus;
  dueDate: string;
}

/** The editable part of a postmortem as the form holds it: strings everywhere, '' for "none". */
export interface PostmortemForm {
  summary: string;
  rootCause: string;
  resolution: string;
  immediate: MeasureRow[];
  preventive: MeasureRow[];
  tasks: TaskRow[];
}

export function formOf(pm: Postmortem): PostmortemForm {
  return {
    summary: pm.summary,
    rootCause: pm.rootCause,
    resolution: pm.resolution,
    immediate: pm.measures.immediate.map((m) => ({ id: m.id, text: m.text })),
    preventive: pm.measures.preventive.map((m) => ({ id: m.id, text: m.text })),
    tasks: pm.tasks.map((t) => ({ id: t.id, title: t.title, owner: t.owner ?? '', status: t.status, dueDate: t.dueDate ?? '' })),
  };
}

/** Problems by field path (the API's own: "summary", "tasks.2.title", "measures.immediate.0.text"). */
export type FormErrors = Record<string, string>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function validate(form: PostmortemForm): FormErrors {
  const errors: FormErrors = {};
  const text = (field: string, value: string, max: number, what: string) => {
    if (!value.trim()) errors[field] = `Write the ${what}, or remove it`;
    else if (value.length > max) errors[field] = `At most ${max.toLocaleString('en')} characters (now ${value.length.toLocaleString('en')})`;
  };
  text('summary', form.summary, LIMITS.text, 'summary');
  text('rootCause', form.rootCause, LIMITS.text, 'root cause');
  text('resolution', form.resolution, LIMITS.text, 'resolution');
  for (const kind of ['immediate', 'preventive'] as const) {
    if (form[kind].length > LIMITS.measures) errors[`measures.${kind}`] = `At most ${LIMITS.measures} measures`;
    form[kind].forEach((m, i) => text(`measures.${kind}.${i}.text`, m.text, LIMITS.measure, 'measure'));
  }
  if (form.tasks.length > LIMITS.tasks) errors.tasks = `At most ${LIMITS.tasks} tasks`;
  form.tasks.forEach((t, i) => {
    text(`tasks.${i}.title`, t.title, LIMITS.taskTitle, 'task');
    if (t.owner.length > LIMITS.owner) errors[`tasks.${i}.owner`] = `At most ${LIMITS.owner} characters`;
    if (t.dueDate && (!DAY.test(t.dueDate) || Number.isNaN(Date.parse(`${t.dueDate}T00:00:00Z`)))) {
      errors[`tasks.${i}.dueDate`] = 'A date as YYYY-MM-DD';
    }
  });
  return errors;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The PATCH body for what changed (each list whole, as the API replaces lists); null when nothing did. */
export function patchOf(original: PostmortemForm, form: PostmortemForm): Record<string, unknown> | null {
  const patch: Record<string, unknown> = {};
  for (const field of ['summary', 'rootCause', 'resolution'] as const) {
    if (form[field] !== original[field]) patch[field] = form[field].trim();
  }
  const measures: Record<string, unknown> = {};
  for (const kind of ['immediate', 'preventive'] as const) {
    if (!same(form[kind], original[kind])) measures[kind] = form[kind].map((m) => ({ ...(m.id ? { id: m.id } : {}), text: m.text.trim() }));
  }
  if (Object.keys(measures).length > 0) patch.measures = measures;
  if (!same(form.tasks, original.tasks)) {
    patch.tasks = form.tasks.map((t) => ({
      ...(t.id ? { id: t.id } : {}),
      title: t.title.trim(),
      owner: t.owner.trim() || null,
      status: t.status,
      dueDate: t.dueDate || null,
    }));
  }
  return Object.keys(patch).length > 0 ? patch : null;
}
