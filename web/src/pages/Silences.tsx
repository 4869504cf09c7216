import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorNote, Loading, PageTitle, fieldError } from '../components/bits';
import { Field } from '../components/Field';
import { localInputToIso, when } from '../format';
import type { App, Silence } from '../types';
import { useAction } from '../use-action';
import { useApi } from '../use-api';

const KINDS = [
  { value: '', label: 'Every kind' },
  { value: 'error_rate', label: 'Login failures' },
  { value: 'volume_drop', label: 'Login volume drops' },
];

/** Silences hold notifications back until they end; incidents are still recorded meanwhile. */
export function Silences() {
  const [all, setAll] = useState(false);
  const silences = useApi<{ silences: Silence[] }>(`/v1/silences${all ? '?all=true' : ''}`);
  const apps = useApi<{ apps: App[] }>('/v1/apps');
  const names = new Map((apps.data?.apps ?? []).map((a) => [a.id, a.name]));
  const deletion = useAction();
  const remove = (s: Silence) => void deletion.run(() => api(`/v1/silences/${s.id}`, { method: 'DELETE' }).then(silences.reload));
  return (
    <>
      <PageTitle>Silences</PageTitle>
      <label className="check">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Show ended silences too
      </label>
      <ErrorNote error={silences.error ?? deletion.error} />
      {!silences.data && !silences.error && <Loading what="silences" />}
      {silences.data?.silences.length === 0 && <p className="muted">No silences: every incident notifies its channels.</p>}
      <ul className="incident-list">
        {silences.data?.silences.map((s) => (
          <li key={s.id}>
            <strong>{names.get(s.app) ?? s.app}</strong> {KINDS.find((k) => k.value === (s.kind ?? ''))?.label.toLowerCase()}
            <div className="meta">
              <span>{s.active ? `until ${when(s.until)}` : `ended ${when(s.until)}`}</span>
              <span className="break">{s.reason}</span>
              <button type="button" className="link" onClick={() => remove(s)} aria-label={`Delete the silence of ${names.get(s.app) ?? s.app} until ${when(s.until)}`}>
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
      <NewSilence apps={apps.data?.apps ?? []} onCreated={silences.reload} />
    </>
  );
}

function NewSilence({ apps, onCreated }: { apps: App[]; onCreated: () => void }) {
  const [app, setApp] = useState('');
  const [until, setUntil] = useState('');
  const [reason, setReason] = useState('');
  const [kind, setKind] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { app, until: localInputToIso(until), reason: reason.trim(), ...(kind ? { kind } : {}) };
    if (!(await run(() => api('/v1/silences', { json: body })))) return;
    setReason('');
    setUntil('');
    onCreated();
  };
  return (
    <section aria-labelledby="new-silence">
      <h2 id="new-silence">Add a silence</h2>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <Field label="App" error={fieldError(error, 'app')}>
          {(c) => (
            <select {...c} required value={app} onChange={(e) => setApp(e.target.value)}>
              <option value="">Choose an app</option>
              {apps.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Until" hint="(your time zone)" error={fieldError(error, 'until')}>
          {(c) => <input {...c} type="datetime-local" required value={until} onChange={(e) => setUntil(e.target.value)} />}
        </Field>
        <Field label="Kind">
          {(c) => (
            <select {...c} value={kind} onChange={(e) => setKind(e.target.value)}>
              {KINDS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Reason" error={fieldError(error, 'reason')}>
          {(c) => <input {...c} required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <button type="submit" disabled={busy}>
          Add silence
        </button>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}
