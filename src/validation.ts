import { z } from 'zod';

/**
 * Input rules shared by every edge that takes input from people: the HTTP API and the `vigil` command line. Both
 * name the offending field the same way and accept the same names.
 */

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
    return paths.map((path) => ({ field: path.length > 0 ? path.map(segment).join('.') : '(root)', message }));
  });
}

/** A key that would vanish in a dotted path (the empty key a client sent) is shown quoted. */
const segment = (key: PropertyKey) => (key === '' ? '""' : String(key));

/** An app's name, from `POST /v1/apps` or `vigil apps create`. */
export const Name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, space, . _ - (starting with a letter or digit)');
