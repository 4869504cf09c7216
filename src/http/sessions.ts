import { createHmac, randomBytes } from 'node:crypto';
import { parseCookie } from 'cookie';
import type { Request } from 'express';
import type { RedisClient } from '../queue/connection';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { secretsEqual, sha256 } from '../apps/keys';
import type { Clock } from '../clock';
import { VigilError, inputError, unavailable } from '../errors';

/** The dashboard's session cookie: httpOnly, SameSite=Strict, Path=/, Secure when the request came over HTTPS. */
export const SESSION_COOKIE = 'vigil_session';
/** Writes made with a session carry this header (see `csrfTokenOf`); a cross-site form cannot set headers. */
export const CSRF_HEADER = 'x-csrf-token';

/** Failed sign-ins one client address may make per window before 429: the admin token is long, this stops a loop. */
export const SIGN_IN_ATTEMPTS = 10;
export const SIGN_IN_WINDOW_SECONDS = 15 * 60;

/** 32 random bytes, base64url: the only form a session id takes, checked before it reaches Redis. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** What Redis keeps per session, under the hash of its id: a Redis dump does not hand out live sessions. */
const StoredSession = z.object({ name: z.string(), createdAt: z.number(), lastSeenAt: z.number() });
type StoredSession = z.infer<typeof StoredSession>;

export interface Session extends StoredSession {
  /** The absolute end, however busy the session is. */
  expiresAt: number;
  /** When the session ends if no request comes before. */
  idleExpiresAt: number;
  csrfToken: string;
}

function parseStored(raw: string | null): StoredSession | null {
  if (raw === null) return null;
  try {
    const parsed = StoredSession.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface SessionSettings {
  redis: RedisClient;
  /** The deployment's REDIS_PREFIX: sessions are per deployment, like everything else in Redis. */
  prefix: string;
  clock: Clock;
  adminToken: string;
  idleMs: number;
  maxMs: number;
}

/** The session id in the request's cookie, if it has the shape of one. */
export function sessionIdOf(req: Request): string | undefined {
  const header = req.headers.cookie;
  const id = header ? parseCookie(header)[SESSION_COOKIE] : undefined;
  return id !== undefined && SESSION_ID.test(id) ? id : undefined;
}

/**
 * The per-session CSRF token, derived from the session id rather than stored: only someone who holds the (httpOnly)
 * cookie's value can compute it, and the dashboard learns it from the sign-in answer or GET /v1/session.
 */
export function csrfTokenOf(sessionId: string): string {
  return createHmac('sha256', sessionId).update('vigil csrf').digest('base64url');
}

/**
 * Dashboard sessions, kept in Redis so any API process can serve any request and Sign out ends a session everywhere.
 * Expiry is decided against the injected clock (idle and absolute limits); the Redis TTL only collects the garbage.
 */
export class Sessions {
  private readonly limiter: RateLimiterRedis;

  constructor(private readonly deps: SessionSettings) {
    this.limiter = new RateLimiterRedis({
      storeClient: deps.redis,
      keyPrefix: `${deps.prefix}:rl:sign-in`,
      points: SIGN_IN_ATTEMPTS,
      duration: SIGN_IN_WINDOW_SECONDS,
      rejectIfRedisNotReady: true,
    });
  }

  /**
   * Checks the admin token and starts a session. Every attempt from `client` costs a point, a success forgives them:
   * a typo or two never locks anyone out, a guessing loop is refused with 429 (and answered in constant time).
   */
  async signIn(token: string, name: string, client: string): Promise<{ id: string; session: Session }> {
    await this.consumeAttempt(client);
    if (!secretsEqual(token, this.deps.adminToken)) throw inputError('unauthorized', 'token', 'That is not the admin token');
    await this.limiter.delete(client).catch(() => undefined);
    const id = randomBytes(32).toString('base64url');
    const now = this.deps.clock.now();
    const stored: StoredSession = { name, createdAt: now, lastSeenAt: now };
    await this.write(id, stored, 'create');
    return { id, session: this.view(id, stored) };
  }

  /** The live session of an id, its idle deadline pushed back; null when unknown, signed out or expired. */
  async touch(id: string): Promise<Session | null> {
    const stored = parseStored(await this.guard(this.deps.redis.get(this.key(id))));
    if (!stored) return null;
    const now = this.deps.clock.now();
    const current = this.view(id, stored);
    if (now >= current.expiresAt || now >= current.idleExpiresAt) {
      await this.end(id);
      return null;
    }
    const next = { ...stored, lastSeenAt: now };
    return (await this.write(id, next, 'refresh')) ? this.view(id, next) : null;
  }

  async end(id: string): Promise<void> {
    await this.guard(this.deps.redis.del(this.key(id)));
  }

  csrfValid(id: string, header: string | undefined): boolean {
    return header !== undefined && secretsEqual(header, csrfTokenOf(id));
  }

  private view(id: string, s: StoredSession): Session {
    const expiresAt = s.createdAt + this.deps.maxMs;
    return { ...s, expiresAt, idleExpiresAt: Math.min(expiresAt, s.lastSeenAt + this.deps.idleMs), csrfToken: csrfTokenOf(id) };
  }

  /** `refresh` writes only over an existing key: a sign-out between the read and this write wins. */
  private async write(id: string, s: StoredSession, mode: 'create' | 'refresh'): Promise<boolean> {
    const ttl = Math.max(1, Math.min(this.deps.idleMs, s.createdAt + this.deps.maxMs - s.lastSeenAt));
    const key = this.key(id);
    const value = JSON.stringify(s);
    const { redis } = this.deps;
    const reply = await this.guard(mode === 'create' ? redis.set(key, value, 'PX', ttl) : redis.set(key, value, 'PX', ttl, 'XX'));
    return reply === 'OK';
  }

  private key(id: string): string {
    return `${this.deps.prefix}:session:${sha256(id)}`;
  }

  private async consumeAttempt(client: string): Promise<void> {
    try {
      await this.limiter.consume(client);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new VigilError('rate_limited', `Too many sign-in attempts; try again in ${retryAfter} s`, undefined, retryAfter);
      }
      throw Object.assign(unavailable('Redis is unreachable: sessions cannot be checked now'), { cause: err });
    }
  }

  /** Redis errors become 503 (with their cause for the log), not a 500 that reads like a bug. */
  private async guard<T>(op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch (err) {
      throw Object.assign(unavailable('Redis is unreachable: sessions cannot be checked now'), { cause: err });
    }
  }
}
