import { z } from 'zod';

/** Requests accept ISO-8601 strings or epoch milliseconds (CONTRACT.md); inside Vigil a time is epoch ms. */
export const Time = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 time')
    .transform((s) => Date.parse(s)),
  z
    .string()
    .regex(/^\d+$/, 'expected an ISO-8601 time or epoch milliseconds')
    .transform((s) => Number(s)),
]);

/** Who did something: recorded in timelines and edit logs. */
export const Actor = z.string().trim().min(1).max(100);

export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'not an id');
