import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { GENERIC_TITLE, PROGRESS } from '../../../src/incidents/banner-text';
import { api, query } from '../api';
import { Chart } from '../chart/Chart';
import { culpritVsRest, markersIn, overall, stepFor } from '../chart/shape';
import { Badge, ErrorNote, Loading, PageTitle, fieldError } from '../components/bits';
import { Field } from '../components/Field';
import { DIMENSION_LABELS, count, duration, percent, when } from '../format';
import { useSession } from '../session';
import type { App, Incident, Release, Series, Silence } from '../types';
import { useAction } from '../use-action';
import { useApi, useNow } from '../use-api';

const MIN = 60_000;

/** Everything on-call needs about one incident, and the buttons to act on it. */
export function IncidentPage({ id }: { id: string }) {
  const incident = useApi<Incident>(`/v1/incidents/${id}`, 30_000);
  const inc = incident.data;
  const app = useApi<App>(inc ? `/v1/apps/${inc.app}` : null);
  if (!inc) return incident.error ? <ErrorNote error={incident.error} /> : <Loading what="the incident" />;

  return (
    <>
      <p className="crumbs">
        <Link href="/incidents">Incidents</Link> · {app.data ? <Link href={`/apps/${inc.app}`}>{app.data.name}</Link> : inc.app}
      </p>
      <PageTitle
        after={
          <p className="meta">
            <Badge value={inc.status} />
            <Badge value={inc.severity} kind={`sev-${inc.severity}`} />
            <span>{inc.kind === 'volume_drop' ? 'Login volume drop' : 'Login failures'}</span>
          </p>
        }
      >
        {inc.title}
      </PageTitle>
      <Actions incident={inc} onChange={incident.set} />
      <Facts incident={inc} />
      <CulpritChart incident={inc} />
      <div className="columns">
        <Banner incident={inc} onChange={incident.set} />
        <SilenceFromIncident incident={inc} />
      </div>
      <Timeline incident={inc} onChange={incident.set} />
      {inc.status === 'resolved' && (
        <p>
          <Link href={`/incidents/${inc.id}/postmortem`} className="button-link">
            Review the postmortem
          </Link>
        </p>
      )}
    </>
  );
}

type OnChange = (incident: Incident) => void;

/** A write that answers the updated incident, shown at once; the error stays on screen until the next try. */
function useWrite(onChange: OnChange) {
  const action = useAction();
  const run = (path: string, method: 'POST' | 'PATCH', json: unknown) => action.run(async () => onChange(await api<Incident>(path, { method, json })));
  return { busy: action.busy, error: action.error, run };
}

function Actions({ incident, onChange }: { incident: Incident; onChange: OnChange }) {
  const { session } = useSession();
  const { busy, error, run } = useWrite(onChange);
  const [note, setNote] = useState('');
  if (incident.status === 'resolved') return null;
  const resolve = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await run(`/v1/incidents/${incident.id}/resolve`, 'POST', { by: session.name, ...(note.trim() ? { note: note.trim() } : {}) });
    if (ok) setNote('');
  };
  return (
    <section className="actions" aria-label="Act on the incident">
      {incident.status === 'open' && (
        <button type="button" disabled={busy} onClick={() => void run(`/v1/incidents/${incident.id}/ack`, 'POST', { by: session.name })}>
          Acknowledge
        </button>
      )}
      <form onSubmit={(e) => void resolve(e)} className="inline-form">
        <Field label="Resolution note" hint="(optional)" error={fieldError(error, 'note')}>
          {(c) => <textarea {...c} rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
        <button type="submit" disabled={busy}>
          Resolve
        </button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}

function Facts({ incident: i }: { incident: Incident }) {
  const started = Date.parse(i.startedAt);
  const detected = Date.parse(i.detectedAt);
  const cause = i.suspectedCause;
  return (
    <section aria-labelledby="facts">
      <h2 id="facts">What happened</h2>
      <dl className="facts">
        <div>
          <dt>Started</dt>
          <dd>{when(i.startedAt)}</dd>
        </div>
        <div>
          <dt>Detected</dt>
          <dd>
            {when(i.detectedAt)} <span className="muted">({duration(detected - started)} after the start)</span>
          </dd>
        </div>
        <div>
          <dt>Acknowledged</dt>
          <dd>{when(i.acknowledgedAt)}</dd>
        </div>
        <div>
          <dt>Resolved</dt>
          <dd>
            {when(i.resolvedAt)}
            {i.resolvedAt && <span className="muted"> (lasted {duration(Date.parse(i.resolvedAt) - started)})</span>}
          </dd>
        </div>
        {i.kind === 'volume_drop' && i.impact.loginsPerMinute !== undefined ? (
          <div>
            <dt>Logins per minute</dt>
            <dd>
              {count(i.impact.loginsPerMinute)} <span className="muted">(expected {count(i.impact.baselineLoginsPerMinute ?? 0)})</span>
            </dd>
          </div>
        ) : (
          <div>
            <dt>Failure rate</dt>
            <dd>
              {percent(i.impact.errorRate)} <span className="muted">(baseline {percent(i.impact.baselineErrorRate)})</span>
            </dd>
          </div>
        )}
        <div>
          <dt>Failed logins</dt>
          <dd>{count(i.impact.failedLogins)}</dd>
        </div>
        <div>
          <dt>Affected users</dt>
          <dd>
            {count(i.impact.affectedUsers)} <span className="muted">({percent(i.impact.affectedUserPct)} of active users)</span>
          </dd>
        </div>
        <div>
          <dt>Suspected cause</dt>
          <dd>
            {cause ? (
              <>
                {DIMENSION_LABELS[cause.dimension]} <strong>{cause.value}</strong>{' '}
                <span className="muted">({percent(cause.share, 0)} of the excess failures)</span>
                {cause.release && (
                  <>
                    <br />
                    Release {cause.release.appVersion}, {when(cause.release.releasedAt)}
                  </>
                )}
              </>
            ) : (
              'No single slice: the failures are spread over the whole app'
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** The culprit slice against everything else, from an hour before the start to half an hour after the end. */
function CulpritChart({ incident: i }: { incident: Incident }) {
  const cause = i.suspectedCause;
  const dimension = cause && cause.dimension !== 'errorCode' ? cause.dimension : null;
  const now = useNow();
  const { from, to } = useMemo(() => {
    const end = i.resolvedAt ? Date.parse(i.resolvedAt) : now;
    return { from: Date.parse(i.startedAt) - 60 * MIN, to: Math.min(now, end + 30 * MIN) };
  }, [i.startedAt, i.resolvedAt, now]);
  const series = useApi<Series>(
    `/v1/apps/${i.app}/series${query({
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      step: stepFor(from, to),
      groupBy: dimension,
    })}`,
  );
  const releases = useApi<{ releases: Release[] }>(`/v1/releases${query({ app: i.app })}`);
  const data = useMemo(() => {
    if (!series.data) return null;
    if (!dimension || !cause) return overall(series.data.points);
    return culpritVsRest(series.data.points, series.data.groups?.[cause.value], `${DIMENSION_LABELS[dimension]} ${cause.value}`);
  }, [series.data, dimension, cause]);
  const markers = useMemo(() => markersIn(from, to, releases.data?.releases ?? [], [i]), [from, to, releases.data, i]);
  return (
    <section aria-labelledby="chart-title">
      <h2 id="chart-title">Failure rate around the incident</h2>
      <ErrorNote error={series.error} />
      {data ? (
        <Chart
          data={data}
          markers={markers}
          from={from}
          to={to}
          caption={cause && dimension ? `${DIMENSION_LABELS[dimension]} ${cause.value} against everything else` : 'The whole app'}
        />
      ) : (
        !series.error && <Loading what="the chart" />
      )}
    </section>
  );
}

/** The message users see in the app's banner while the incident lasts, with a preview of the banner itself. */
function Banner({ incident, onChange }: { incident: Incident; onChange: OnChange }) {
  const { session } = useSession();
  const { busy, error, run } = useWrite(onChange);
  const [message, setMessage] = useState(incident.publicMessage ?? '');
  const [saved, setSaved] = useState(false);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await run(`/v1/incidents/${incident.id}`, 'PATCH', { publicMessage: message.trim() || null, by: session.name });
    setSaved(ok);
  };
  const shown = incident.status === 'resolved' ? null : incident.status;
  return (
    <section aria-labelledby="banner-title">
      <h2 id="banner-title">Message to users</h2>
      <form onSubmit={(e) => void save(e)} className="stack">
        <Field label="Banner message" hint="(empty: the generic message)" error={fieldError(error, 'publicMessage')}>
          {(c) => (
            <textarea
              {...c}
              rows={3}
              maxLength={500}
              value={message}
              onChange={(e) => {
                setMessage(e.target.value);
                setSaved(false);
              }}
            />
          )}
        </Field>
        <div className="preview" aria-label="Banner preview">
          <p className="preview-label muted">What users see in the app</p>
          {shown ? (
            <div className="app-banner" role="note">
              <strong>{message.trim() || GENERIC_TITLE}</strong>
              <span>{PROGRESS[shown]}</span>
            </div>
          ) : (
            <p className="muted">Nothing: the incident is resolved, so the banner is gone.</p>
          )}
        </div>
        <button type="submit" disabled={busy} className="secondary">
          Save message
        </button>
        {saved && <p role="status">Saved.</p>}
        <ErrorNote error={error} />
      </form>
    </section>
  );
}

const SILENCE_FOR = [
  { label: '1 hour', ms: 60 * MIN },
  { label: '4 hours', ms: 4 * 60 * MIN },
  { label: '24 hours', ms: 24 * 60 * MIN },
];

/** One click holds back this app's notifications of this kind of incident for a while; incidents are still recorded. */
function SilenceFromIncident({ incident }: { incident: Incident }) {
  const silences = useApi<{ silences: Silence[] }>('/v1/silences');
  const [forMs, setForMs] = useState(SILENCE_FOR[0]!.ms);
  const { busy, error, run } = useAction();
  const active = (silences.data?.silences ?? []).filter((s) => s.app === incident.app && (s.kind === null || s.kind === incident.kind));
  const silence = () =>
    run(async () => {
      const until = new Date(Date.now() + forMs).toISOString();
      await api('/v1/silences', { json: { app: incident.app, kind: incident.kind, until, reason: `From incident: ${incident.title}`.slice(0, 500) } });
      silences.reload();
    });
  return (
    <section aria-labelledby="silence-title">
      <h2 id="silence-title">Notifications</h2>
      {active.length > 0 ? (
        <p>
          Silenced until {when(active.map((s) => s.until).sort().at(-1))}. <Link href="/silences">Manage silences</Link>
        </p>
      ) : (
        <p className="muted">Not silenced: channels are paged for this app.</p>
      )}
      <div className="inline-form">
        <Field label="Silence for">
          {(c) => (
            <select {...c} value={forMs} onChange={(e) => setForMs(Number(e.target.value))}>
              {SILENCE_FOR.map((o) => (
                <option key={o.ms} value={o.ms}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="button" className="secondary" disabled={busy} onClick={() => void silence()}>
          Silence notifications
        </button>
      </div>
      <ErrorNote error={error ?? silences.error} />
    </section>
  );
}

function Timeline({ incident, onChange }: { incident: Incident; onChange: OnChange }) {
  const { session } = useSession();
  const { busy, error, run } = useWrite(onChange);
  const [text, setText] = useState('');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(`/v1/incidents/${incident.id}/notes`, 'POST', { by: session.name, text: text.trim() })) setText('');
  };
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol className="timeline">
        {incident.timeline.map((e, n) => (
          <li key={`${e.at}-${n}`} className={`tl-${e.type}`}>
            <time dateTime={e.at}>{when(e.at)}</time> <strong>{e.type}</strong> {e.message}
            {e.by && <span className="muted"> — {e.by}</span>}
          </li>
        ))}
      </ol>
      <form onSubmit={(e) => void add(e)} className="stack">
        <Field label="Note" error={fieldError(error, 'text')}>
          {(c) => <textarea {...c} rows={2} required maxLength={5000} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <button type="submit" disabled={busy || !text.trim()} className="secondary">
          Add note
        </button>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}
