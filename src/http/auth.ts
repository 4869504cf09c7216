import type { NextFunction, Request, Response } from 'express';
import { secretsEqual } from '../apps/keys';
import type { KeyResolver } from '../apps/key-resolver';
import type { App } from '../domain/types';
import { VigilError } from '../errors';

/** Who is calling, set by the auth middleware on res.locals.principal. */
export type Principal = { kind: 'admin' } | { kind: 'ingest'; app: App; keyPrefix: string };

function bearer(req: Request): string {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new VigilError('unauthorized', 'Missing "Authorization: Bearer <token>" header');
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
 */
export function createAuth(adminToken: string, keys: KeyResolver) {
  const isAdmin = (token: string) => secretsEqual(token, adminToken);

  const identify = async (req: Request): Promise<Principal> => {
    const token = bearer(req);
    if (isAdmin(token)) return { kind: 'admin' };
    const found = await keys.resolve(token);
    if (!found) throw new VigilError('unauthorized', 'Unknown or revoked token');
    return { kind: 'ingest', app: found.app, keyPrefix: found.key.keyPrefix };
  };

  const guard = (allowed: Array<Principal['kind']>) => async (req: Request, res: Response, next: NextFunction) => {
    const principal = await identify(req);
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
