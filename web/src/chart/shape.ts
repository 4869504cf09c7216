import type { Incident, Release, SeriesPoint } from '../types';

/** The chart's ranges: each with a step that keeps it to a few hundred points, enough for a phone's width and more. */
export const RANGES = {
  '1h': { label: '1 h', ms: 3_600_000, step: 60 },
  '6h': { label: '6 h', ms: 6 * 3_600_000, step: 60 },
  '24h': { label: '24 h', ms: 24 * 3_600_000, step: 300 },
  '7d': { label: '7 d', ms: 7 * 24 * 3_600_000, step: 1800 },
} as const;
export type RangeKey = keyof typeof RANGES;
export const isRange = (v: string | null | undefined): v is RangeKey => v !== null && v !== undefined && v in RANGES;

/** Split charts show this many values by name; the rest are summed into "other". */
export const TOP_VALUES = 5;
export const OTHER = 'other';

export interface Line {
  label: string;
  /** Failure rate per point, 0..1; null where there were no attempts (a gap, not a 0% that never happened). */
  rates: Array<number | null>;
  attempts: number[];
}

/** Columns for uPlot: x in seconds, attempts of the whole app, one failure-rate line per series. */
export interface ChartData {
  xs: number[];
  attempts: number[];
  lines: Line[];
}

interface Counted {
  attempts: number;
  failures: number;
}

const rate = (c: Counted) => (c.attempts > 0 ? c.failures / c.attempts : null);
const seconds = (iso: string) => Date.parse(iso) / 1000;

function lineOf(label: string, counts: Counted[]): Line {
  return { label, rates: counts.map(rate), attempts: counts.map((c) => c.attempts) };
}

export function overall(points: SeriesPoint[], label = 'All logins'): ChartData {
  return { xs: points.map((p) => seconds(p.at)), attempts: points.map((p) => p.attempts), lines: [lineOf(label, points)] };
}

/**
 * The values with the most failures over the range (ties: the most attempts) get a line each; everything else,
 * including logins that did not report the dimension at all, is "other" = the whole app minus the named values.
 */
export function split(points: SeriesPoint[], groups: Record<string, SeriesPoint[]>, top = TOP_VALUES): ChartData {
  const totals = Object.entries(groups).map(([value, series]) => ({
    value,
    series,
    failures: series.reduce((s, p) => s + p.failures, 0),
    attempts: series.reduce((s, p) => s + p.attempts, 0),
  }));
  totals.sort((a, b) => b.failures - a.failures || b.attempts - a.attempts || a.value.localeCompare(b.value));
  const named = totals.slice(0, top).filter((t) => t.attempts > 0);
  const lines = named.map((t) => lineOf(t.value, t.series));
  const rest = points.map((p, i) => {
    const attempts = p.attempts - named.reduce((s, t) => s + (t.series[i]?.attempts ?? 0), 0);
    const failures = p.failures - named.reduce((s, t) => s + (t.series[i]?.failures ?? 0), 0);
    return { attempts: Math.max(0, attempts), failures: Math.max(0, failures) };
  });
  if (rest.some((c) => c.attempts > 0)) lines.push(lineOf(OTHER, rest));
  return { xs: points.map((p) => seconds(p.at)), attempts: points.map((p) => p.attempts), lines };
}

/** The culprit slice against everything else, around an incident. */
export function culpritVsRest(points: SeriesPoint[], culprit: SeriesPoint[] | undefined, label: string): ChartData {
  const slice = points.map((_, i) => culprit?.[i] ?? { attempts: 0, failures: 0 });
  const rest = points.map((p, i) => ({
    attempts: Math.max(0, p.attempts - slice[i]!.attempts),
    failures: Math.max(0, p.failures - slice[i]!.failures),
  }));
  return {
    xs: points.map((p) => seconds(p.at)),
    attempts: points.map((p) => p.attempts),
    lines: [lineOf(label, slice), lineOf('everything else', rest)],
  };
}

export interface ReleaseMarker {
  at: number;
  label: string;
}

export interface IncidentBand {
  id: string;
  start: number;
  detected: number;
  /** null: still going on, the band runs to the chart's right edge. */
  end: number | null;
  severity: Incident['severity'];
}

export interface Markers {
  releases: ReleaseMarker[];
  incidents: IncidentBand[];
}

/** The releases and incidents that touch [from, to] (epoch ms), as the chart draws them. */
export function markersIn(from: number, to: number, releases: Release[], incidents: Incident[]): Markers {
  return {
    releases: releases
      .map((r) => ({ at: Date.parse(r.releasedAt), label: r.platform ? `${r.appVersion} (${r.platform})` : r.appVersion }))
      .filter((r) => r.at >= from && r.at <= to),
    incidents: incidents
      .map((i) => ({
        id: i.id,
        start: Date.parse(i.startedAt),
        detected: Date.parse(i.detectedAt),
        end: i.resolvedAt ? Date.parse(i.resolvedAt) : null,
        severity: i.severity,
      }))
      .filter((b) => b.start <= to && (b.end === null || b.end >= from)),
  };
}

/** A step (seconds, a multiple of 60) that covers [from, to] in at most `maxPoints` points. */
export function stepFor(from: number, to: number, maxPoints = 720): number {
  const minutes = Math.ceil((to - from) / 60_000 / maxPoints);
  return Math.max(1, minutes) * 60;
}
