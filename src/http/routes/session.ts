import { Router, type CookieOptions, type Request } from 'express';
import { z } from 'zod';
import { VigilError } from '../../errors';
import { jsonBody } from '../app';
import { iso } from '../present';
import { Actor } from '../schemas';
import { CSRF_HEADER, SESSION_COOKIE, sessionIdOf, type Session, type Sessions } from '../sessions';
import { parse } from '../validate';

const SignIn = z.strictObject({
  token: z.string().min(1).max(512),
  /** Who the timeline names for what this session does; the dashboard asks for it at sign-in. */
  name: Actor.optional(),
});

/** The name written into timelines when the operator gave none. */
export const DEFAULT_OPERATOR = 'operator';

const present = (s: Session) => ({
  name: s.name,
  csrfToken: s.csrfToken,
  createdAt: iso(s.createdAt),
  expiresAt: iso(s.expiresAt),
  idleExpiresAt: iso(s.idleExpiresAt),
});

/**
 * `secure` follows req.secure, which honours X-Forwarded-Proto only from the proxies express's `trust proxy` trusts:
 * behind a TLS-terminating proxy on loopback the cookie is Secure, a client cannot talk its way into or out of it.
 */
const cookieOptions = (req: Request, maxAgeMs?: number): CookieOptions => ({
  httpOnly: true,
  sameSite: 'strict',
  secure: req.secure,
  path: '/',
  ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }),
});

/**
 * The dashboard's sign-in: POST /v1/session with the admin token starts a session (cookie), GET /v1/session tells the
 * dashboard who it is and its CSRF token, DELETE /v1/session (Sign out) ends it in Redis, for every process.
 */
export function sessionRouter(deps: { sessions: Sessions; maxMs: number }): Router {
  const router = Router();
  router.use('/v1/session', ...jsonBody, (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  router.post('/v1/session', async (req, res) => {
    const body = parse(SignIn, req.body, 'body');
    const { id, session } = await deps.sessions.signIn(body.token, body.name ?? DEFAULT_OPERATOR, req.ip ?? 'unknown');
    res.cookie(SESSION_COOKIE, id, cookieOptions(req, deps.maxMs));
    res.status(201).json(present(session));
  });

  router.get('/v1/session', async (req, res) => {
    res.json(present(await current(deps.sessions, req)));
  });

  router.delete('/v1/session', async (req, res) => {
    const id = sessionIdOf(req);
    // A live session is only ended with its CSRF token, so another site cannot sign the operator out either.
    if (id !== undefined && (await deps.sessions.touch(id))) {
      if (!deps.sessions.csrfValid(id, req.get(CSRF_HEADER))) {
        throw new VigilError('forbidden', `Sign out needs the ${CSRF_HEADER} header of the session`);
      }
      await deps.sessions.end(id);
    }
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.status(204).end();
  });

  return router;
}

async function current(sessions: Sessions, req: Request): Promise<Session> {
  const id = sessionIdOf(req);
  const session = id === undefined ? null : await sessions.touch(id);
  if (!session) throw new VigilError('unauthorized', 'Not signed in, or the session has expired');
  return session;
}
