/** @jest-environment jsdom */
import { fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { ApiError } from '../src/api';
import { PostmortemEditor } from '../src/components/PostmortemEditor';
import { validate, type PostmortemForm } from '../src/postmortem-form';

const initial: PostmortemForm = {
  summary: 'Logins failed.',
  rootCause: 'A bad release.',
  resolution: 'Rolled back.',
  immediate: [{ id: 'msr_1', text: 'Halt the rollout' }],
  preventive: [],
  tasks: [],
};

/** The editor as the page uses it: form state outside, validation on every change. */
function Harness({ serverError, onForm }: { serverError?: unknown; onForm?: (f: PostmortemForm) => void }) {
  const [form, setForm] = useState(initial);
  return (
    <PostmortemEditor
      form={form}
      errors={validate(form)}
      serverError={serverError}
      onChange={(f) => {
        setForm(f);
        onForm?.(f);
      }}
    />
  );
}

describe('postmortem editor', () => {
  it('when a field is emptied, then its problem is said next to it and tied to it for screen readers', () => {
    render(<Harness />);
    const summary = screen.getByLabelText('Summary');
    fireEvent.change(summary, { target: { value: '' } });
    expect(summary.getAttribute('aria-invalid')).toBe('true');
    const described = document.getElementById(summary.getAttribute('aria-describedby')!);
    expect(described?.textContent).toBe('Write the summary, or remove it');
  });

  it('when a task is added and filled in, then the form holds it with owner, due date and status', () => {
    let last: PostmortemForm = initial;
    render(<Harness onForm={(f) => (last = f)} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add task' }));
    const task = within(screen.getByRole('group', { name: 'Task 1' }));
    fireEvent.change(task.getByLabelText('Task'), { target: { value: 'Contract test' } });
    fireEvent.change(task.getByLabelText('Owner'), { target: { value: 'dana' } });
    fireEvent.change(task.getByLabelText('Due date'), { target: { value: '2030-01-15' } });
    fireEvent.change(task.getByLabelText('Status'), { target: { value: 'done' } });
    expect(last.tasks).toEqual([{ title: 'Contract test', owner: 'dana', status: 'done', dueDate: '2030-01-15' }]);
  });

  it('when a measure is removed, then it leaves the form', () => {
    let last: PostmortemForm = initial;
    render(<Harness onForm={(f) => (last = f)} />);
    fireEvent.click(screen.getByRole('button', { name: 'Remove immediate measure 1' }));
    expect(last.immediate).toEqual([]);
  });

  it('when the API names a field in its refusal, then the message appears by that field', () => {
    const refusal = new ApiError(400, 'bad_request', 'Invalid body', [{ field: 'rootCause', message: 'Too big: expected string to have <=20000 characters' }]);
    render(<Harness serverError={refusal} />);
    const rootCause = screen.getByLabelText('Root cause');
    expect(document.getElementById(rootCause.getAttribute('aria-describedby')!)?.textContent).toMatch(/<=20000 characters/);
  });
});
