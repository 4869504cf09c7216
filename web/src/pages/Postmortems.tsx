import { useMemo } from 'react';
import { Link, useSearchParams } from 'wouter';
import { query } from '../api';
import { Badge, ErrorNote, Loading, PageTitle } from '../components/bits';
import { Field } from '../components/Field';
import { when } from '../format';
import type { App, Postmortem } from '../types';
import { useApi } from '../use-api';

const STATUSES = [
  { value: '', label: 'Any status' },
  { value: 'draft', label: 'Draft' },
  { value: 'in_review', label: 'In review' },
  { value: 'published', label: 'Published' },
];

/** Postmortems waiting for review, and the published ones. */
export function Postmortems() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const list = useApi<{ postmortems: Postmortem[] }>(`/v1/postmortems${query({ status })}`);
  const apps = useApi<{ apps: App[] }>('/v1/apps');
  const names = useMemo(() => new Map((apps.data?.apps ?? []).map((a) => [a.id, a.name])), [apps.data]);
  return (
    <>
      <PageTitle>Postmortems</PageTitle>
      <div className="toolbar">
        <Field label="Status">
          {(c) => (
            <select {...c} value={status} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })}>
              {STATUSES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorNote error={list.error} />
      {!list.data && !list.error && <Loading what="postmortems" />}
      {list.data?.postmortems.length === 0 && <p className="muted">None yet: a draft is written when an incident resolves.</p>}
      <ul className="incident-list">
        {list.data?.postmortems.map((pm) => (
          <li key={pm.id}>
            <Link href={`/incidents/${pm.incidentId}/postmortem`}>{pm.title}</Link>
            <div className="meta">
              <Badge value={pm.status} />
              <span>{names.get(pm.app) ?? pm.app}</span>
              <span>updated {when(pm.updatedAt)}</span>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
