import { MINUTE_MS as MINUTE } from './time';
/**
 * Numbers and times as people read them in a postmortem: "38%", "3 h 30 min", "5,230", "14:00". One place, so the
 * drafted prose and the rendered Markdown never disagree on how a number looks.
 */

const counts = new Intl.NumberFormat('en-US');

export function count(n: number): string {
  return counts.format(Math.round(n));
}

/** A fraction (0..1) as a percentage: whole numbers from 10%, one decimal below (a 1.5% baseline matters). */
export function percent(fraction: number): string {
  const p = fraction * 100;
  if (p === 0) return '0%';
  if (p < 10) return `${p.toFixed(1).replace(/\.0$/, '')}%`;
  return `${Math.round(p)}%`;
}

/** "45 s", "12 min", "3 h", "3 h 30 min": rounded to the minute once it is a minute or more. */
export function duration(ms: number): string {
  if (ms < MINUTE) return `${Math.max(0, Math.round(ms / 1000))} s`;
  const minutes = Math.round(ms / MINUTE);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "14:00" (UTC). */
export function utcTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** "2023-04-12" (UTC). */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

