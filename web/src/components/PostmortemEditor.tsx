import { ApiError } from '../api';
import { Field } from './Field';
import { LIMITS, type FormErrors, type MeasureRow, type PostmortemForm, type TaskRow } from '../postmortem-form';
import type { TaskStatus } from '../types';

interface Props {
  form: PostmortemForm;
  /** The form's own checks, by field path. */
  errors: FormErrors;
  /** The API's answer to the last save: the fields it named are shown by their inputs too. */
  serverError: unknown;
  onChange: (form: PostmortemForm) => void;
}

const TASK_STATUSES: Array<{ value: TaskStatus; label: string }> = [
  { value: 'open', label: 'Open' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'done', label: 'Done' },
];

/** The editable fields of a postmortem; each problem is said next to its field and tied to it for screen readers. */
export function PostmortemEditor({ form, errors, serverError, onChange }: Props) {
  const server = serverError instanceof ApiError ? Object.fromEntries(serverError.fields.map((f) => [f.field, f.message])) : {};
  const problem = (field: string): string | undefined => errors[field] ?? server[field];

  const text = (field: 'summary' | 'rootCause' | 'resolution', label: string) => (
    <Field label={label} error={problem(field)}>
      {(c) => <textarea {...c} rows={5} maxLength={LIMITS.text} value={form[field]} onChange={(e) => onChange({ ...form, [field]: e.target.value })} />}
    </Field>
  );

  const measures = (kind: 'immediate' | 'preventive', label: string) => {
    const rows = form[kind];
    const set = (next: MeasureRow[]) => onChange({ ...form, [kind]: next });
    return (
      <fieldset>
        <legend>{label}</legend>
        {rows.map((m, i) => (
          <div className="row" key={m.id ?? `new-${i}`}>
            <Field label={<span className="sr-only">{`${label} measure ${i + 1}`}</span>} error={problem(`measures.${kind}.${i}.text`)} className="grow">
              {(c) => <input {...c} value={m.text} maxLength={LIMITS.measure} onChange={(e) => set(rows.map((r, j) => (j === i ? { ...r, text: e.target.value } : r)))} />}
            </Field>
            <button type="button" className="link" onClick={() => set(rows.filter((_, j) => j !== i))} aria-label={`Remove ${label.toLowerCase()} measure ${i + 1}`}>
              Remove
            </button>
          </div>
        ))}
        {rows.length < LIMITS.measures && (
          <button type="button" className="secondary" onClick={() => set([...rows, { text: '' }])}>
            Add {label.toLowerCase()} measure
          </button>
        )}
      </fieldset>
    );
  };

  const setTask = (i: number, change: Partial<TaskRow>) => onChange({ ...form, tasks: form.tasks.map((t, j) => (j === i ? { ...t, ...change } : t)) });
  return (
    <div className="stack editor">
      {text('summary', 'Summary')}
      {text('rootCause', 'Root cause')}
      {text('resolution', 'Resolution')}
      {measures('immediate', 'Immediate')}
      {measures('preventive', 'Preventive')}
      <fieldset>
        <legend>Tasks</legend>
        {form.tasks.map((t, i) => (
          <div className="task" key={t.id ?? `new-${i}`} role="group" aria-label={`Task ${i + 1}`}>
            <Field label="Task" error={problem(`tasks.${i}.title`)}>
              {(c) => <input {...c} value={t.title} maxLength={LIMITS.taskTitle} onChange={(e) => setTask(i, { title: e.target.value })} />}
            </Field>
            <Field label="Owner" error={problem(`tasks.${i}.owner`)}>
              {(c) => <input {...c} value={t.owner} maxLength={LIMITS.owner} onChange={(e) => setTask(i, { owner: e.target.value })} />}
            </Field>
            <Field label="Due date" error={problem(`tasks.${i}.dueDate`)}>
              {(c) => <input {...c} type="date" value={t.dueDate} onChange={(e) => setTask(i, { dueDate: e.target.value })} />}
            </Field>
            <Field label="Status">
              {(c) => (
                <select {...c} value={t.status} onChange={(e) => setTask(i, { status: e.target.value as TaskStatus })}>
                  {TASK_STATUSES.map((s) => (
                    <option key={s.value} value={s.value}>
                      {s.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button type="button" className="link" onClick={() => onChange({ ...form, tasks: form.tasks.filter((_, j) => j !== i) })} aria-label={`Remove task ${i + 1}`}>
              Remove
            </button>
          </div>
        ))}
        {form.tasks.length < LIMITS.tasks && (
          <button type="button" className="secondary" onClick={() => onChange({ ...form, tasks: [...form.tasks, { title: '', owner: '', status: 'open', dueDate: '' }] })}>
            Add task
          </button>
        )}
      </fieldset>
    </div>
  );
}
