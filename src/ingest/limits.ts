/** The bounds of one telemetry batch (docs/api.md), shared by the zod schema and the hot path's validator. */
export const MAX_EVENT_AGE_MS = 24 * 3_600_000;
export const MAX_EVENT_FUTURE_MS = 5 * 60_000;
export const MAX_EVENTS_PER_BATCH = 1000;
export const MAX_ERROR_CODES_PER_EVENT = 100;
