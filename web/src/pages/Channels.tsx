import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorNote, Loading, PageTitle, fieldError } from '../components/bits';
import { Field } from '../components/Field';
import { channelBody, emptyChannel, type ChannelDraft } from '../channel-form';
import { when } from '../format';
import type { App, Channel, ChannelType, Severity } from '../types';
import { useAction } from '../use-action';
import { useApi } from '../use-api';

const TYPES: Array<{ value: ChannelType; label: string }> = [
  { value: 'webhook', label: 'Webhook' },
  { value: 'slack', label: 'Slack' },
  { value: 'pagerduty', label: 'PagerDuty' },
];
const SEVERITIES: Severity[] = ['minor', 'major', 'critical'];

/** Where pages go. Secrets and routing keys are write-only: the list says whether one is set, never what it is. */
export function Channels() {
  const channels = useApi<{ channels: Channel[] }>('/v1/channels');
  const apps = useApi<{ apps: App[] }>('/v1/apps');
  const names = new Map((apps.data?.apps ?? []).map((a) => [a.id, a.name]));
  const deletion = useAction();
  const remove = (c: Channel) => {
    if (!window.confirm(`Delete the ${c.type} channel to ${c.url}?`)) return;
    void deletion.run(() => api(`/v1/channels/${c.id}`, { method: 'DELETE' }).then(channels.reload));
  };

  return (
    <>
      <PageTitle>Channels</PageTitle>
      <ErrorNote error={channels.error ?? deletion.error} />
      {!channels.data && !channels.error && <Loading what="channels" />}
      {channels.data?.channels.length === 0 && <p className="muted">No channels: incidents are recorded but nobody is paged.</p>}
      <ul className="incident-list">
        {channels.data?.channels.map((c) => (
          <li key={c.id}>
            <strong>{TYPES.find((t) => t.value === c.type)?.label}</strong> <span className="break">{c.url}</span>
            <div className="meta">
              <span>{c.apps ? c.apps.map((a) => names.get(a) ?? a).join(', ') : 'all apps'}</span>
              <span>{c.minSeverity} and above</span>
              {c.escalateAfterMinutes !== null && <span>escalates after {c.escalateAfterMinutes} min</span>}
              {c.hasSecret && <span>signed</span>}
              {c.hasRoutingKey && <span>routing key set</span>}
              <span>since {when(c.createdAt)}</span>
              <button type="button" className="link" onClick={() => remove(c)} aria-label={`Delete the ${c.type} channel to ${c.url}`}>
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
      <NewChannel apps={apps.data?.apps ?? []} onCreated={channels.reload} />
    </>
  );
}

function NewChannel({ apps, onCreated }: { apps: App[]; onCreated: () => void }) {
  const [draft, setDraft] = useState<ChannelDraft>(emptyChannel);
  const { busy, error, run } = useAction();
  const [done, setDone] = useState(false);
  const set = (change: Partial<ChannelDraft>) => {
    setDraft({ ...draft, ...change });
    setDone(false);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!(await run(() => api('/v1/channels', { json: channelBody(draft) })))) return;
    setDraft(emptyChannel);
    setDone(true);
    onCreated();
  };
  return (
    <section aria-labelledby="new-channel">
      <h2 id="new-channel">Add a channel</h2>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <Field label="Type">
          {(c) => (
            <select {...c} value={draft.type} onChange={(e) => set({ type: e.target.value as ChannelType })}>
              {TYPES.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="URL" error={fieldError(error, 'url')}>
          {(c) => <input {...c} type="url" required maxLength={2048} value={draft.url} onChange={(e) => set({ url: e.target.value })} placeholder="https://" />}
        </Field>
        {draft.type === 'webhook' && (
          <Field label="Signing secret" hint="(optional, write-only)" error={fieldError(error, 'secret')}>
            {(c) => <input {...c} type="password" autoComplete="new-password" minLength={8} maxLength={512} value={draft.secret} onChange={(e) => set({ secret: e.target.value })} />}
          </Field>
        )}
        {draft.type === 'pagerduty' && (
          <Field label="Routing key" hint="(write-only)" error={fieldError(error, 'routingKey')}>
            {(c) => <input {...c} type="password" autoComplete="off" required maxLength={128} value={draft.routingKey} onChange={(e) => set({ routingKey: e.target.value })} />}
          </Field>
        )}
        <fieldset>
          <legend>Apps</legend>
          <p className="muted">None ticked: every app, including apps created later.</p>
          {apps.map((a) => (
            <label key={a.id} className="check">
              <input
                type="checkbox"
                checked={draft.apps.includes(a.id)}
                onChange={(e) => set({ apps: e.target.checked ? [...draft.apps, a.id] : draft.apps.filter((x) => x !== a.id) })}
              />
              {a.name}
            </label>
          ))}
        </fieldset>
        <Field label="Page from severity">
          {(c) => (
            <select {...c} value={draft.minSeverity} onChange={(e) => set({ minSeverity: e.target.value as Severity })}>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s} and above
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Escalate after" hint="(minutes, optional)" error={fieldError(error, 'escalateAfterMinutes')}>
          {(c) => (
            <input {...c} type="number" min={1} max={10080} step={1} inputMode="numeric" value={draft.escalateAfterMinutes} onChange={(e) => set({ escalateAfterMinutes: e.target.value })} />
          )}
        </Field>
        <button type="submit" disabled={busy}>
          Add channel
        </button>
        {done && <p role="status">Channel added.</p>}
        <ErrorNote error={error} />
      </form>
    </section>
  );
}
