import type { z } from 'zod';
import { badRequest } from '../errors';

export interface FieldError {
  field: string;
  message: string;
}

/** zod issues as `{field, message}` pairs, the field as a dotted path ("events.3.platform"). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    // An unknown key is the offending field itself, not its parent object.
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
    return paths.map((path) => ({ field: path.length > 0 ? path.join('.') : '(root)', message }));
  });
}

/** Parses request input with a schema; a 400 naming every offending field otherwise. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error);
  const first = errors[0]!;
  throw badRequest(`Invalid ${where}: ${first.field}: ${first.message}`, errors);
}
