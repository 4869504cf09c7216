import type { z } from 'zod';
import { badRequest } from '../errors';
import { fieldErrors } from '../validation';

/** Parses request input with a schema; a 400 naming every offending field otherwise. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error);
  const first = errors[0]!;
  throw badRequest(`Invalid ${where}: ${first.field}: ${first.message}`, errors);
}
