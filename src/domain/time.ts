/** Time spans in epoch milliseconds, the unit of every time inside Vigil: one definition for every room and test. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
