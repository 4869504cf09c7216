import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import { query } from '../api';
import { Chart } from '../chart/Chart';
import { RANGES, isRange, markersIn, overall, split, type RangeKey } from '../chart/shape';
import { ErrorNote, Loading, PageTitle } from '../components/bits';
import { Field } from '../components/Field';
import { IncidentList } from '../components/IncidentList';
import { DIMENSION_LABELS, dayTime } from '../format';
import type { App, Incident, Release, Series, SliceDimension } from '../types';
import { useApi } from '../use-api';

const SPLITS: SliceDimension[] = ['appVersion', 'platform', 'osVersion', 'region'];
const isSplit = (v: string | null): v is SliceDimension => SPLITS.includes(v as SliceDimension);
const REFRESH_MS = 60_000;

/** The end of the current minute: the chart's right edge (the minute under way included), moved on every refresh. */
const nowish = () => Math.ceil((Date.now() + 1) / 60_000) * 60_000;

/** One app: its failure rate over a chosen range, overall or split by a dimension, with releases and incidents. */
export function AppPage({ id }: { id: string }) {
  const [params, setParams] = useSearchParams();
  const rangeParam = params.get('range');
  const splitParam = params.get('split');
  const range: RangeKey = isRange(rangeParam) ? rangeParam : '24h';
  const splitBy = isSplit(splitParam) ? splitParam : null;
  const [to, setTo] = useState(nowish);
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === 'visible' && setTo(nowish()), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const from = to - RANGES[range].ms;

  const app = useApi<App>(`/v1/apps/${id}`);
  const series = useApi<Series>(
    `/v1/apps/${id}/series${query({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), step: RANGES[range].step, groupBy: splitBy })}`,
  );
  const releases = useApi<{ releases: Release[] }>(`/v1/releases${query({ app: id })}`);
  // Incidents detected up to a day before the range may still be running inside it.
  const incidents = useApi<{ incidents: Incident[] }>(
    `/v1/incidents${query({ app: id, since: new Date(from - 24 * 3_600_000).toISOString(), limit: 100 })}`,
  );

  const data = useMemo(() => {
    if (!series.data) return null;
    return splitBy && series.data.groups ? split(series.data.points, series.data.groups) : overall(series.data.points);
  }, [series.data, splitBy]);
  const markers = useMemo(
    () => markersIn(from, to, releases.data?.releases ?? [], incidents.data?.incidents ?? []),
    [from, to, releases.data, incidents.data],
  );

  const choose = (next: { range?: RangeKey; split?: SliceDimension | null }) => {
    const q = new URLSearchParams(params);
    if (next.range) q.set('range', next.range);
    if (next.split !== undefined) {
      if (next.split) q.set('split', next.split);
      else q.delete('split');
    }
    setParams(q, { replace: true });
    setTo(nowish());
  };

  return (
    <>
      <PageTitle>{app.data?.name ?? 'App'}</PageTitle>
      <ErrorNote error={app.error ?? series.error} />
      <div className="toolbar">
        <fieldset className="segmented">
          <legend>Range</legend>
          {(Object.keys(RANGES) as RangeKey[]).map((key) => (
            <label key={key}>
              <input type="radio" name="range" value={key} checked={key === range} onChange={() => choose({ range: key })} />
              {RANGES[key].label}
            </label>
          ))}
        </fieldset>
        <Field label="Split by">
          {(c) => (
            <select {...c} value={splitBy ?? ''} onChange={(e) => choose({ split: isSplit(e.target.value) ? e.target.value : null })}>
              <option value="">Nothing (whole app)</option>
              {SPLITS.map((d) => (
                <option key={d} value={d}>
                  {DIMENSION_LABELS[d]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {data ? (
        <Chart
          data={data}
          markers={markers}
          from={from}
          to={to}
          caption={`Login failure rate, last ${RANGES[range].label}${splitBy ? `, by ${DIMENSION_LABELS[splitBy].toLowerCase()} (top values, the rest as other)` : ''}`}
        />
      ) : (
        !series.error && <Loading what="the chart" />
      )}

      <section aria-labelledby="app-incidents">
        <h2 id="app-incidents">Incidents</h2>
        <IncidentList incidents={incidents.data?.incidents ?? []} loading={!incidents.data} empty="No incidents in this period." />
        <p>
          <Link href={`/incidents?app=${id}`}>All incidents of this app</Link>
        </p>
      </section>

      <section aria-labelledby="app-releases">
        <h2 id="app-releases">Releases</h2>
        {releases.data && releases.data.releases.length === 0 && <p className="muted">No releases registered.</p>}
        <ul className="plain">
          {[...(releases.data?.releases ?? [])]
            .reverse()
            .slice(0, 10)
            .map((r) => (
              <li key={r.id}>
                <strong>{r.appVersion}</strong> {r.platform ?? 'all platforms'} · {dayTime(r.releasedAt)}
                {r.rolloutPercent !== null && ` · ${r.rolloutPercent}% rollout`}
              </li>
            ))}
        </ul>
      </section>
    </>
  );
}
