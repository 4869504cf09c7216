/**
 * One error type for HTTP, jobs and the CLI. Domain code throws these with a stable code; the HTTP layer maps the
 * code to a status, workers use `retryable` to decide between retrying and failing the job for good.
 */
export const ERROR_CATALOGUE = {
  bad_request: { status: 400, retryable: false, description: 'The request body or query is not valid; `details` names the fields.' },
  invalid_json: { status: 400, retryable: false, description: 'The body is not valid JSON (or not valid gzip).' },
  unauthorized: { status: 401, retryable: false, description: 'No credentials, or credentials that match nothing.' },
  forbidden: { status: 403, retryable: false, description: 'The credentials are valid but may not do this.' },
  not_found: { status: 404, retryable: false, description: 'No such resource (or route).' },
  conflict: { status: 409, retryable: false, description: 'The resource is not in a state that allows this (an illegal transition, a duplicate name).' },
  payload_too_large: { status: 413, retryable: false, description: 'More than 1000 events or more than 1 MiB decoded.' },
  unsupported_media_type: { status: 415, retryable: false, description: 'Content-Type is not application/json or Content-Encoding is not gzip/identity.' },
  rate_limited: { status: 429, retryable: true, description: 'Too many requests for this key; retry after `Retry-After` seconds.' },
  unavailable: { status: 503, retryable: true, description: 'A dependency (Redis, the store) is unreachable; retry after `Retry-After` seconds.' },
  internal: { status: 500, retryable: true, description: 'A bug. The log has the stack trace.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class VigilError extends Error {
  readonly status: number;
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds, for 429 and 503. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'VigilError';
    this.status = ERROR_CATALOGUE[code].status;
    this.retryable = ERROR_CATALOGUE[code].retryable;
  }
}

export const badRequest = (message: string, details?: unknown) => new VigilError('bad_request', message, details);

/** A refusal caused by one input — a body field, the body itself, a header — named in `details` for clients to show. */
export const inputError = (code: ErrorCode, field: string, message: string) => new VigilError(code, message, [{ field, message }]);
export const notFound = (what: string) => new VigilError('not_found', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new VigilError('conflict', message, details);
export const unavailable = (message: string, retryAfter = 5) =>
  new VigilError('unavailable', message, undefined, retryAfter);
