import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from '../api';
import { STATUS_LABELS } from '../format';

export function Badge({ value, kind }: { value: string; kind?: string }) {
  return <span className={`badge badge-${kind ?? value}`}>{STATUS_LABELS[value] ?? value}</span>;
}

/** A failed load or write, said in words; field problems are shown by their fields. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof ApiError || error instanceof Error ? error.message : JSON.stringify(error);
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}

/** A page's heading takes focus when the page opens, so keyboard and screen-reader users start where the content does. */
export function PageTitle({ children, after }: { children: ReactNode; after?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);
  return (
    <div className="page-title">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {after}
    </div>
  );
}

/** The message of the API's complaint about one field, if it named it. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.fields.find((f) => f.field === field || f.field.startsWith(`${field}.`))?.message;
}
