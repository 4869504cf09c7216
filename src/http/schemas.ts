import { z } from 'zod';

/**
 * Every time a request may carry lies in [2000-01-01, 2100-01-01). Anything outside is a typo or an attack, and an
 * unbounded epoch (`"99999999999999999"`) stored once would make every later answer that formats it fail.
 */
export const MIN_TIME_MS = Date.UTC(2000, 0, 1);
export const MAX_TIME_MS = Date.UTC(2100, 0, 1);
const TIME_RANGE = 'must be between 2000-01-01 and 2100-01-01';

/** Requests accept ISO-8601 strings or epoch milliseconds (CONTRACT.md); inside Vigil a time is epoch ms. */
export const Time = z
  .union(
    [
      z.number().int().nonnegative(),
      z
        .string()
        .max(40)
        .refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 time')
        .transform((s) => Date.parse(s)),
      z
        .string()
        .regex(/^\d{1,16}$/, 'expected an ISO-8601 time or epoch milliseconds')
        .transform((s) => Number(s)),
    ],
    { error: 'expected an ISO-8601 time or epoch milliseconds' },
  )
  .refine((ms) => ms >= MIN_TIME_MS && ms < MAX_TIME_MS, TIME_RANGE);

/** A calendar day, `YYYY-MM-DD`, that exists (no 2026-02-30) within the same range as times. */
export const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => {
    const ms = Date.parse(`${s}T00:00:00Z`);
    // Date.parse rolls 2026-02-30 over to March 2nd: a real day formats back to itself.
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === s;
  }, 'not a calendar date')
  .refine((s) => {
    const ms = Date.parse(`${s}T00:00:00Z`);
    return ms >= MIN_TIME_MS && ms < MAX_TIME_MS;
  }, TIME_RANGE);

/** Who did something: recorded in timelines and edit logs. */
export const Actor = z.string().trim().min(1).max(100);

/** A time in an answer (defined with the presenters, which shape every answer's times). */
export { IsoTime } from '../incidents/present';

export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'not an id');
