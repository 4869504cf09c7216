/** How the dashboard writes numbers and times: rates as percentages, times in the reader's zone with the zone named. */

export function percent(rate: number, digits?: number): string {
  const pct = rate * 100;
  const d = digits ?? (pct !== 0 && Math.abs(pct) < 1 ? 2 : 1);
  return `${pct.toFixed(d)}%`;
}

const integer = new Intl.NumberFormat('en');
export const count = (n: number): string => integer.format(Math.round(n));

const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});
const dayAndTime = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const timeOnly = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });

export function when(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '–';
}

export function clockTime(iso: string | number): string {
  return timeOnly.format(new Date(iso));
}

/** "28 Nov, 14:05" in the reader's zone: for marks on a chart whose axis already tells the zone's hours. */
export function dayTime(at: string | number): string {
  return dayAndTime.format(new Date(at));
}

/** "3 h 25 min", "2 min", "45 s". */
export function duration(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.round(hours / 24)} d`;
}

export const DIMENSION_LABELS = {
  appVersion: 'App version',
  platform: 'Platform',
  osVersion: 'OS version',
  region: 'Region',
  errorCode: 'Error code',
} as const;

export const STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  draft: 'Draft',
  in_review: 'In review',
  published: 'Published',
  operational: 'Operational',
  degraded: 'Degraded',
  outage: 'Outage',
  critical: 'Critical',
  major: 'Major',
  minor: 'Minor',
};

/** A date-time-local input's value ("2026-11-28T14:30", the reader's zone) as ISO-8601 UTC, or null when empty/invalid. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
