/**
 * Duck-typed rather than `instanceof Error`: native drivers (better-sqlite3) build their errors in the main realm,
 * so under a sandbox such as jest's vm they are not instances of the sandbox's Error.
 */
export function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') return err.message;
  return String(err);
}

/** A property of a thrown value that may be anything: driver errors carry `code`, `keyPattern`, `cause`. */
export function errorField(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null && name in err ? (err as Record<string, unknown>)[name] : undefined;
}
