import type { NextFunction, Request, Response } from 'express';
import { secretsEqual } from '../apps/keys';
import type { KeyResolver } from '../apps/key-resolver';
import type { Clock } from '../clock';
import type { App } from '../domain/types';
import { VigilError, inputError } from '../errors';
import type { RateLimit } from './rate-limit';
import { CSRF_HEADER, sessionIdOf, type Session, type Sessions } from './sessions';

/**
 * Who is calling, set by the auth middleware on res.locals.principal. An operator holds the admin token, either as a
 * bearer token (scripts) or through a dashboard session.
 */
export type Principal = { kind: 'admin'; session?: Session } | { kind: 'ingest'; app: App; keyPrefix: string };

/** Methods a cross-site page can trigger without reading the answer are the ones that need the CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearer(req: Request): string {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw inputError('unauthorized', 'Authorization', 'Missing "Authorization: Bearer <token>" header (or a dashboard session)');
  return match[1]!;
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** The app of an ingest-key caller. */
export function ingestApp(res: Response): App {
  const p = principalOf(res);
  if (p.kind !== 'ingest') throw new VigilError('forbidden', 'This route takes an app ingest key');
  return p.app;
}

/**
 * Authentication for the three kinds of route: operator (admin token), SDK (ingest key), and either (releases).
 * An ingest key never opens an operator route: 403, so a leaked app key cannot read other apps' incidents.
 * Operator routes also take a dashboard session when the request has no Authorization header; its writes must carry
 * the session's CSRF token. SDK routes never look at cookies. `failures` limits failed authentications per client
 * address. The service always passes both; tests of other routes may leave them out.
 */
export function createAuth(adminToken: string, keys: KeyResolver, opts: { sessions?: Sessions; failures?: FailureLimit } = {}) {
  const { sessions, failures } = opts;
  const isAdmin = (token: string) => secretsEqual(token, adminToken);

  const fromSession = async (store: Sessions, req: Request, id: string): Promise<Principal> => {
    const session = await store.touch(id);
    if (!session) throw inputError('unauthorized', 'Cookie', 'The session has expired or was signed out; sign in again');
    if (!SAFE_METHODS.has(req.method) && !store.csrfValid(id, req.get(CSRF_HEADER))) {
      throw new VigilError('forbidden', `A write made with a session needs the ${CSRF_HEADER} header of that session`);
    }
    return { kind: 'admin', session };
  };

  const identify = async (req: Request, allowSession: boolean): Promise<Principal> => {
    const sessionId = allowSession && req.headers.authorization === undefined ? sessionIdOf(req) : undefined;
    if (sessions && sessionId !== undefined) return fromSession(sessions, req, sessionId);
    const token = bearer(req);
    const client = req.ip ?? 'unknown';
    failures?.refuseIfBlocked(client);
    if (isAdmin(token)) return { kind: 'admin' };
    const found = await keys.resolve(token);
    if (!found) {
      await failures?.count(client);
      throw inputError('unauthorized', 'Authorization', 'Unknown or revoked token');
    }
    return { kind: 'ingest', app: found.app, keyPrefix: found.key.keyPrefix };
  };

  const guard = (allowed: Array<Principal['kind']>) => async (req: Request, res: Response, next: NextFunction) => {
    const principal = await identify(req, allowed.includes('admin'));
    if (!allowed.includes(principal.kind)) {
      throw new VigilError('forbidden', principal.kind === 'ingest' ? 'This route needs the admin token' : 'This route takes an app ingest key');
    }
    res.locals.principal = principal;
    next();
  };

  return {
    admin: guard(['admin']),
    ingest: guard(['ingest']),
    adminOrIngest: guard(['admin', 'ingest']),
  };
}

export type Auth = ReturnType<typeof createAuth>;

/** The most client addresses remembered as blocked at once: a flood of addresses cannot grow memory without bound. */
const MAX_BLOCKED = 10_000;

/**
 * Failed authentications per client address. Failures are counted in Redis (shared by every API process) only when
 * they happen, so valid requests pay nothing; an address over its limit is remembered in this process until its
 * window ends and refused before its token is even compared, so guessing gets no answers, right or wrong.
 */
export class FailureLimit {
  private readonly blocked = new Map<string, number>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {}

  refuseIfBlocked(client: string): void {
    const until = this.blocked.get(client);
    if (until === undefined) return;
    const now = this.clock.now();
    if (until <= now) this.blocked.delete(client);
    else throw new VigilError('rate_limited', 'Too many failed authentications from this address', undefined, Math.ceil((until - now) / 1000));
  }

  async count(client: string): Promise<void> {
    try {
      await this.limit(client);
    } catch (err) {
      if (err instanceof VigilError && err.code === 'rate_limited') {
        if (this.blocked.size >= MAX_BLOCKED) this.blocked.delete(this.blocked.keys().next().value as string);
        this.blocked.set(client, this.clock.now() + (err.retryAfter ?? 1) * 1000);
      }
      throw err;
    }
  }
}

/**
 * A limit per ingest key (app and key prefix), so one misbehaving build cannot starve the app's other keys. Admin
 * callers are operators and scripts: not limited here.
 */
export function limitPerIngestKey(limit: RateLimit) {
  return async (_req: Request, res: Response, next: NextFunction) => {
    const principal = principalOf(res);
    if (principal.kind === 'ingest') await limit(`${principal.app.id}:${principal.keyPrefix}`);
    next();
  };
}
