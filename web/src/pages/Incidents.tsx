import { useMemo, useState } from 'react';
import { useSearchParams } from 'wouter';
import { api, query } from '../api';
import { ErrorNote, PageTitle } from '../components/bits';
import { Field } from '../components/Field';
import { IncidentList } from '../components/IncidentList';
import type { App, Incident } from '../types';
import { useApi } from '../use-api';

const SINCE = {
  '24h': { label: 'Last 24 hours', ms: 24 * 3_600_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 24 * 3_600_000 },
  '30d': { label: 'Last 30 days', ms: 30 * 24 * 3_600_000 },
  all: { label: 'Any time', ms: null },
} as const;
type SinceKey = keyof typeof SINCE;
const STATUSES = ['open', 'acknowledged', 'resolved'] as const;

/** Incidents, newest first, filtered by app, status and age; the filters live in the URL so a view can be shared. */
export function Incidents() {
  const [params, setParams] = useSearchParams();
  const app = params.get('app') ?? '';
  const status = params.get('status') ?? '';
  const sinceParam = params.get('since');
  const since: SinceKey = sinceParam && sinceParam in SINCE ? (sinceParam as SinceKey) : '7d';
  // Counted from when the page opened, so that the list, its refreshes and its next pages agree on "since".
  const [openedAt] = useState(() => Date.now());
  const sinceMs = SINCE[since].ms;
  const sinceIso = sinceMs === null ? undefined : new Date(openedAt - sinceMs).toISOString();

  const apps = useApi<{ apps: App[] }>('/v1/apps');
  const first = useApi<{ incidents: Incident[]; nextCursor?: string }>(
    `/v1/incidents${query({ app, status, since: sinceIso, limit: 50 })}`,
    30_000,
  );
  // Further pages belong to the first page they followed; a refreshed or refiltered first page starts over.
  const [extra, setMore] = useState<{ after?: unknown; incidents: Incident[]; nextCursor?: string }>({ incidents: [] });
  const more = extra.after === first.data ? extra : { incidents: [] as Incident[], nextCursor: undefined };
  const [moreError, setMoreError] = useState<unknown>(null);

  const nextCursor = more.incidents.length > 0 ? more.nextCursor : first.data?.nextCursor;
  const loadMore = async () => {
    try {
      const page = await api<{ incidents: Incident[]; nextCursor?: string }>(
        `/v1/incidents${query({ app, status, since: sinceIso, limit: 50, cursor: nextCursor })}`,
      );
      setMore({ after: first.data, incidents: [...more.incidents, ...page.incidents], nextCursor: page.nextCursor });
    } catch (err) {
      setMoreError(err);
    }
  };

  const set = (key: string, value: string) => {
    const q = new URLSearchParams(params);
    if (value) q.set(key, value);
    else q.delete(key);
    setParams(q, { replace: true });
  };
  const appNames = useMemo(() => new Map((apps.data?.apps ?? []).map((a) => [a.id, a.name])), [apps.data]);

  return (
    <>
      <PageTitle>Incidents</PageTitle>
      <form className="toolbar" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
        <Field label="App">
          {(c) => (
            <select {...c} value={app} onChange={(e) => set('app', e.target.value)}>
              <option value="">All apps</option>
              {apps.data?.apps.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Status">
          {(c) => (
            <select {...c} value={status} onChange={(e) => set('status', e.target.value)}>
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s[0]!.toUpperCase() + s.slice(1)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Since">
          {(c) => (
            <select {...c} value={since} onChange={(e) => set('since', e.target.value)}>
              {(Object.keys(SINCE) as SinceKey[]).map((k) => (
                <option key={k} value={k}>
                  {SINCE[k].label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <ErrorNote error={first.error ?? moreError} />
      <IncidentList
        incidents={[...(first.data?.incidents ?? []), ...more.incidents]}
        loading={!first.data && !first.error}
        empty="No incidents match these filters."
        appNames={appNames}
      />
      {nextCursor && (
        <button type="button" className="secondary" onClick={() => void loadMore()}>
          Load more
        </button>
      )}
    </>
  );
}
