import { Router, type CookieOptions, type Request } from 'express';
import { z } from 'zod';
import { VigilError, inputError } from '../../errors';
import { iso } from '../../incidents/present';
import { routesOn } from '../route';
import { Actor, IsoTime } from '../schemas';
import { CSRF_HEADER, SESSION_COOKIE, sessionIdOf, type Session, type Sessions } from '../sessions';

const SignIn = z.strictObject({
  token: z.string().min(1).max(512),
  /** Who the timeline names for what this session does; the dashboard asks for it at sign-in. */
  name: Actor.optional(),
});

/** The name written into timelines when the operator gave none. */
export const DEFAULT_OPERATOR = 'operator';

const SessionOut = z
  .object({
    name: z.string(),
    csrfToken: z.string().describe('Send it as the x-csrf-token header of every write made with this session'),
    createdAt: IsoTime,
    expiresAt: IsoTime,
    idleExpiresAt: IsoTime,
  })
  .meta({ id: 'Session' });

const present = (s: Session): z.input<typeof SessionOut> => ({
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
  const route = routesOn(router, null);
  const tag = 'Dashboard session';
  router.use('/v1/session', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  route(
    {
      method: 'post',
      path: '/v1/session',
      tag,
      summary: 'Sign in with the admin token: sets the httpOnly, SameSite=Strict session cookie',
      access: 'public',
      body: SignIn,
      responses: {
        201: { description: 'Signed in', schema: SessionOut },
        401: { description: 'Not the admin token' },
        429: { description: 'Too many sign-ins from this address; retry after Retry-After seconds' },
      },
    },
    async ({ body }, req, res) => {
      const { id, session } = await deps.sessions.signIn(body.token, body.name ?? DEFAULT_OPERATOR, req.ip ?? 'unknown');
      res.cookie(SESSION_COOKIE, id, cookieOptions(req, deps.maxMs));
      res.status(201).json(present(session));
    },
  );

  route(
    {
      method: 'get',
      path: '/v1/session',
      tag,
      summary: 'The signed-in session and its CSRF token',
      access: 'public',
      responses: { 200: { description: 'The session', schema: SessionOut }, 401: { description: 'Not signed in' } },
    },
    async (_input, req, res) => {
      res.json(present(await current(deps.sessions, req)));
    },
  );

  route(
    {
      method: 'delete',
      path: '/v1/session',
      tag,
      summary: 'Sign out: ends the session in every process',
      access: 'public',
      responses: { 204: { description: 'Signed out' }, 403: { description: 'A live session without its x-csrf-token' } },
    },
    async (_input, req, res) => {
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
    },
  );

  return router;
}

async function current(sessions: Sessions, req: Request): Promise<Session> {
  const id = sessionIdOf(req);
  const session = id === undefined ? null : await sessions.touch(id);
  if (!session) throw inputError('unauthorized', 'Cookie', 'Not signed in, or the session has expired');
  return session;
}
