import { Link } from 'wouter';
import { Badge, ErrorNote, Loading, PageTitle } from '../components/bits';
import { count, percent } from '../format';
import type { AppOverview } from '../types';
import { useApi } from '../use-api';

/** Every app at a glance: what its users are told, unresolved incidents, and the last 60 minutes of logins. */
export function Overview() {
  const { data, error } = useApi<{ apps: AppOverview[]; truncated?: boolean }>('/v1/overview', 30_000);
  return (
    <>
      <PageTitle>Apps</PageTitle>
      <ErrorNote error={error} />
      {!data && !error && <Loading what="apps" />}
      {data && data.apps.length === 0 && (
        <p>No apps yet. Create one with <code>POST /v1/apps</code> or <code>vigil apps create NAME</code>.</p>
      )}
      <ul className="cards" aria-label="Apps">
        {data?.apps.map((app) => (
          <li key={app.id} className={`card status-${app.status}`}>
            <h2>
              <Link href={`/apps/${app.id}`}>{app.name}</Link>
            </h2>
            <Badge value={app.status} />
            <dl className="facts">
              <div>
                <dt>Open incidents</dt>
                <dd>
                  {app.openIncidents > 0 ? (
                    <Link href={`/incidents?app=${app.id}`}>{app.openIncidents}</Link>
                  ) : (
                    0
                  )}
                </dd>
              </div>
              <div>
                <dt>Failure rate, last hour</dt>
                <dd>
                  {app.lastHour.attempts > 0 ? percent(app.lastHour.errorRate) : '–'}{' '}
                  <span className="muted">of {count(app.lastHour.attempts)} logins</span>
                </dd>
              </div>
            </dl>
          </li>
        ))}
      </ul>
      {data?.truncated && <p className="muted">Only the first apps are shown.</p>}
    </>
  );
}
