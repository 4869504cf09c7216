/**
 * The one way the dashboard talks to Vigil: same-origin fetch with the session cookie, JSON in and out, the session's
 * CSRF token on every write, and errors as ApiError carrying the API's code and the fields it named.
 */
export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
    readonly details: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
const unauthorizedListeners = new Set<() => void>();

/** Set at sign-in (and when an open tab finds its session): writes carry it as x-csrf-token. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when any call answers 401: the session expired or was signed out elsewhere. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const isFieldProblem = (d: unknown): d is FieldProblem =>
  typeof d === 'object' && d !== null && typeof (d as FieldProblem).field === 'string' && typeof (d as FieldProblem).message === 'string';

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    const details = body.error?.details;
    const fields = Array.isArray(details) ? details.filter(isFieldProblem) : [];
    return new ApiError(res.status, body.error?.code ?? 'error', body.error?.message ?? res.statusText, fields, details);
  } catch {
    return new ApiError(res.status, 'error', `${res.status} ${res.statusText}`);
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  json?: unknown;
  accept?: string;
  signal?: AbortSignal;
}

export async function request(path: string, opts: RequestOptions = {}): Promise<Response> {
  const method = opts.method ?? (opts.json === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(opts.json === undefined ? {} : { body: JSON.stringify(opts.json) }),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (!res.ok) {
    const error = await errorOf(res);
    // The session routes answer 401 for a wrong token or a browser that never signed in: that is the sign-in form's
    // business. Any other 401 means the session ended (expired, or signed out in another tab).
    if (res.status === 401 && path !== '/v1/session') for (const listener of unauthorizedListeners) listener();
    throw error;
  }
  return res;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await request(path, opts);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** A query string from the defined entries only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
