import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api, request } from '../api';
import { Badge, ErrorNote, Loading, PageTitle } from '../components/bits';
import { PostmortemEditor } from '../components/PostmortemEditor';
import { DIMENSION_LABELS, count, duration, percent, when } from '../format';
import { formOf, patchOf, validate, type PostmortemForm } from '../postmortem-form';
import { useSession } from '../session';
import type { Postmortem } from '../types';
import { useAction } from '../use-action';
import { useApi } from '../use-api';

/**
 * Postmortem review: the draft as it reads (updated as you type), the fields to edit, and the workflow draft → in
 * review → published. Every save carries the version read, so a colleague's concurrent edit is a 409 said in words.
 */
export function PostmortemPage({ incidentId }: { incidentId: string }) {
  const { session } = useSession();
  const loaded = useApi<Postmortem>(`/v1/incidents/${incidentId}/postmortem`);
  const pm = loaded.data;
  const original = useMemo(() => (pm ? formOf(pm) : null), [pm]);
  // Edits belong to the version they started from: a save or a reload starts again from what the API answered.
  const [edit, setEdit] = useState<{ base: Postmortem; form: PostmortemForm } | null>(null);
  const form = edit && edit.base === pm ? edit.form : original;
  const setForm = (next: PostmortemForm) => pm && setEdit({ base: pm, form: next });
  const { busy, error, run } = useAction();
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);

  if (!pm || !form || !original) return loaded.error ? <ErrorNote error={loaded.error} /> : <Loading what="the postmortem" />;
  const errors = validate(form);
  const patch = patchOf(original, form);
  const readOnly = pm.status === 'published';

  // A 409 is a colleague's save in between: said as a conflict, with a way to load their version.
  const conflict = error instanceof ApiError && error.status === 409 ? error.message : null;
  const write = async (what: string, steps: (current: Postmortem) => Promise<Postmortem>) => {
    setStatus(null);
    if (await run(async () => loaded.set(await steps(pm)))) setStatus(what);
  };
  const save = (current: Postmortem, extra: Record<string, unknown> = {}) =>
    api<Postmortem>(`/v1/incidents/${incidentId}/postmortem`, {
      method: 'PATCH',
      json: { by: session.name, version: current.version, ...patch, ...extra },
    });
  const saveIfChanged = async (current: Postmortem) => (patch ? save(current) : current);
  // Publishing what is on screen: unsaved edits are saved first (with the version check), then published.
  const publish = async (current: Postmortem) => {
    await saveIfChanged(current);
    return api<Postmortem>(`/v1/incidents/${incidentId}/postmortem/publish`, { json: { by: session.name } });
  };
  const canSave = Object.keys(errors).length === 0;

  const download = async () => {
    try {
      const res = await request(`/v1/incidents/${incidentId}/postmortem`, { accept: 'text/markdown' });
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `postmortem-${incidentId}.md`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      setDownloadError(err);
    }
  };

  return (
    <>
      <p className="crumbs">
        <Link href={`/incidents/${incidentId}`}>Incident</Link> · <Link href="/postmortems">Postmortems</Link>
      </p>
      <PageTitle after={<p className="meta"><Badge value={pm.status} /> <span className="muted">version {pm.version}, updated {when(pm.updatedAt)}</span></p>}>
        {pm.title}
      </PageTitle>

      <div className="actions" role="group" aria-label="Postmortem workflow">
        {!readOnly && (
          <button type="button" className="secondary" disabled={busy || !patch || !canSave} onClick={() => void write('Saved.', (c) => save(c))}>
            Save changes
          </button>
        )}
        {pm.status === 'draft' && (
          <button type="button" className="secondary" disabled={busy || !canSave} onClick={() => void write('Sent to review.', (c) => save(c, { status: 'in_review' }))}>
            Send to review
          </button>
        )}
        {!readOnly && (
          <button type="button" disabled={busy || !canSave} onClick={() => void write('Published.', publish)}>
            Publish
          </button>
        )}
        {readOnly && (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void write('Reopened for review.', () => api<Postmortem>(`/v1/incidents/${incidentId}/postmortem/reopen`, { json: { by: session.name } }))}
          >
            Reopen
          </button>
        )}
        <button type="button" className="secondary" onClick={() => void download()}>
          Download Markdown
        </button>
      </div>
      {status && <p role="status">{status}</p>}
      {conflict && (
        <div role="alert" className="conflict">
          <p>
            <strong>Someone else changed this postmortem.</strong> {conflict}
          </p>
          <button type="button" onClick={() => void run(async () => loaded.reload())}>
            Load their version (your unsaved edits are dropped)
          </button>
        </div>
      )}
      <ErrorNote error={conflict ? downloadError : (error ?? downloadError)} />

      <div className="review">
        {!readOnly && (
          <section aria-labelledby="edit-title" className="review-edit">
            <h2 id="edit-title">Edit</h2>
            <PostmortemEditor form={form} errors={errors} serverError={error} onChange={setForm} />
          </section>
        )}
        <section aria-labelledby="doc-title" className="review-doc">
          <h2 id="doc-title">{readOnly ? 'Published postmortem' : 'Preview'}</h2>
          <PostmortemDocument pm={pm} form={form} />
        </section>
      </div>
    </>
  );
}

/** The postmortem as it reads, section by section as in its Markdown, from the form so edits show as they are typed. */
function PostmortemDocument({ pm, form }: { pm: Postmortem; form: PostmortemForm }) {
  const f = pm.facts;
  const paragraphs = (text: string) => text.split(/\n{2,}/).map((p, i) => <p key={i}>{p}</p>);
  return (
    <article className="document">
      <h3>Incident Summary</h3>
      {paragraphs(form.summary)}
      <ul>
        <li>Duration: {duration(f.durationMs)} ({when(f.startedAt)} → {when(f.resolvedAt)}), detected after {duration(f.detectionLagMs)}</li>
        <li>
          Impact: failure rate {percent(f.peakErrorRate)} (baseline {percent(f.baselineErrorRate)}), {count(f.failedLogins)} failed logins,{' '}
          {count(f.affectedUsers)} users ({percent(f.affectedUserPct)})
        </li>
        <li>
          Suspected cause:{' '}
          {f.suspectedCause ? `${DIMENSION_LABELS[f.suspectedCause.dimension]} ${f.suspectedCause.value}` : 'no single slice'}
        </li>
      </ul>
      <h3>Timeline</h3>
      <ol className="timeline">
        {pm.timeline.map((e, i) => (
          <li key={i}>
            <time dateTime={e.at}>{when(e.at)}</time> {e.message}
            {e.by && <span className="muted"> — {e.by}</span>}
          </li>
        ))}
      </ol>
      <h3>Root Cause and Resolution</h3>
      {paragraphs(form.rootCause)}
      {paragraphs(form.resolution)}
      <h3>Corrective and Preventive Measures</h3>
      <h4>Immediate</h4>
      <ul>{form.immediate.map((m, i) => <li key={m.id ?? `new-${i}`}>{m.text}</li>)}</ul>
      <h4>Preventive</h4>
      <ul>{form.preventive.map((m, i) => <li key={m.id ?? `new-${i}`}>{m.text}</li>)}</ul>
      <h3>Tasks</h3>
      {form.tasks.length === 0 ? (
        <p className="muted">No tasks.</p>
      ) : (
        <ul>
          {form.tasks.map((t, i) => (
            <li key={t.id ?? `new-${i}`}>
              {t.title} <span className="muted">— {t.owner || 'no owner'}, {t.dueDate || 'no due date'}, {t.status.replace('_', ' ')}</span>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
