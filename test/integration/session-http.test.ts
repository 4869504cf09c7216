import Redis from 'ioredis';
import { ManualClock } from '../../src/clock';
import { SIGN_IN_ATTEMPTS } from '../../src/http/sessions';
import { TEST_REDIS_URL } from '../support/redis';
import { startTestService, type TestService } from '../support/service';
import { MINUTE_MS as MIN } from '../../src/domain/time';

/**
 * Dashboard sessions over real HTTP on the real service: sign-in with the admin token sets an httpOnly, SameSite=Strict
 * cookie that operator routes accept (writes with the CSRF token), sessions expire idle and absolutely against the
 * service's clock, and Sign out ends them in Redis.
 */
const IDLE_MINUTES = 30;
const MAX_HOURS = 2;

describe('dashboard sessions', () => {
  let svc: TestService;
  const clock = new ManualClock(Date.now());
  let client = 0;

  beforeAll(async () => {
    svc = await startTestService('session-http', {
      clock,
      env: { SESSION_IDLE_MINUTES: String(IDLE_MINUTES), SESSION_MAX_HOURS: String(MAX_HOURS) },
    });
  });
  afterAll(() => svc?.cleanup());

  /**
   * Each test signs in from its own client address (X-Forwarded-For, honoured from loopback as `trust proxy` says),
   * so the sign-in rate limit of one test never spills into another.
   */
  const signIn = async (token: string = svc.adminToken, headers: Record<string, string> = {}, ip = `10.0.0.${(client += 1)}`) => {
    const res = await svc.api('/v1/session', { method: 'POST', token: null, json: { token, name: 'alice' }, headers: { 'x-forwarded-for': ip, ...headers } });
    const setCookie = res.headers.get('set-cookie') ?? '';
    const cookie = /vigil_session=([^;]*)/.exec(setCookie)?.[0] ?? '';
    return { res, setCookie, cookie, body: (await res.json()) as { name: string; csrfToken: string; expiresAt: string; idleExpiresAt: string } };
  };
  const withCookie = (cookie: string, path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) =>
    svc.api(path, { ...init, token: null, headers: { cookie, ...init.headers } });

  it('when the admin token is posted, then an httpOnly SameSite=Strict cookie starts a session that operator routes accept', async () => {
    const { res, setCookie, cookie, body } = await signIn();
    expect(res.status).toBe(201);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    expect(body).toMatchObject({ name: 'alice', csrfToken: expect.any(String) });
    expect(Date.parse(body.expiresAt) - clock.now()).toBe(MAX_HOURS * 60 * MIN);
    expect(Date.parse(body.idleExpiresAt) - clock.now()).toBe(IDLE_MINUTES * MIN);

    expect((await withCookie(cookie, '/v1/apps')).status).toBe(200);
    expect((await withCookie(cookie, '/v1/overview')).status).toBe(200);
    const me = await withCookie(cookie, '/v1/session');
    expect(await me.json()).toMatchObject({ name: 'alice', csrfToken: body.csrfToken });
  });

  it('when the request came through a loopback proxy that terminated HTTPS, then the cookie is Secure', async () => {
    const { setCookie } = await signIn(svc.adminToken, { 'x-forwarded-proto': 'https' });
    expect(setCookie).toMatch(/Secure/);
  });

  it('when the token is wrong, then 401 and no cookie', async () => {
    const { res, setCookie } = await signIn('not-the-admin-token');
    expect(res.status).toBe(401);
    expect(setCookie).toBe('');
  });

  it('when one address keeps guessing, then it is refused with 429 and Retry-After, even with the right token, and others are not', async () => {
    const ip = '10.9.9.9';
    for (let i = 0; i < SIGN_IN_ATTEMPTS; i++) expect((await signIn('guess-' + i, {}, ip)).res.status).toBe(401);
    const refused = await signIn(svc.adminToken, {}, ip);
    expect(refused.res.status).toBe(429);
    expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await signIn(svc.adminToken, {}, '10.9.9.10')).res.status).toBe(201);
  });

  it('when a session writes without its CSRF token, then 403; with it, the write goes through', async () => {
    const { cookie, body } = await signIn();
    const create = (headers: Record<string, string>) => withCookie(cookie, '/v1/apps', { method: 'POST', json: { name: `csrf-${client}` }, headers });
    expect((await create({})).status).toBe(403);
    expect((await create({ 'x-csrf-token': 'forged' })).status).toBe(403);
    const other = await signIn();
    expect((await create({ 'x-csrf-token': other.body.csrfToken })).status).toBe(403);
    expect((await create({ 'x-csrf-token': body.csrfToken })).status).toBe(201);
  });

  it('when a session has been idle longer than the idle limit, then it is refused', async () => {
    const { cookie } = await signIn();
    clock.advance(IDLE_MINUTES * MIN - 1000);
    expect((await withCookie(cookie, '/v1/apps')).status).toBe(200);
    clock.advance(IDLE_MINUTES * MIN - 1000);
    expect((await withCookie(cookie, '/v1/apps')).status).toBe(200);
    clock.advance(IDLE_MINUTES * MIN);
    const res = await withCookie(cookie, '/v1/apps');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/expired|signed out/);
  });

  it('when a busy session reaches the absolute limit, then it is refused however recently it was used', async () => {
    const { cookie } = await signIn();
    for (let used = 0; used + 20 * MIN < MAX_HOURS * 60 * MIN; used += 20 * MIN) {
      clock.advance(20 * MIN);
      expect((await withCookie(cookie, '/v1/apps')).status).toBe(200);
    }
    clock.advance(20 * MIN);
    expect((await withCookie(cookie, '/v1/apps')).status).toBe(401);
  });

  it('when the operator signs out, then the cookie is cleared and the session is dead server-side', async () => {
    const { cookie, body } = await signIn();
    expect((await withCookie(cookie, '/v1/session', { method: 'DELETE' })).status).toBe(403);
    const out = await withCookie(cookie, '/v1/session', { method: 'DELETE', headers: { 'x-csrf-token': body.csrfToken } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/vigil_session=;.*Expires=Thu, 01 Jan 1970/);
    // The browser forgets the cookie; a copy of it (another tab, a stolen value) is refused too.
    expect((await withCookie(cookie, '/v1/apps')).status).toBe(401);
    expect((await withCookie(cookie, '/v1/session')).status).toBe(401);
  });

  it('when there is no session and no token, then data routes and GET /v1/session answer 401', async () => {
    expect((await svc.api('/v1/incidents', { token: null })).status).toBe(401);
    expect((await svc.api('/v1/session', { token: null })).status).toBe(401);
    expect((await withCookie('vigil_session=made-up', '/v1/apps')).status).toBe(401);
  });

  it('when scripts use the bearer token, then it still works, and an Authorization header is judged on its own', async () => {
    expect((await svc.api('/v1/apps')).status).toBe(200);
    const { cookie } = await signIn();
    const wrongBearer = await svc.api('/v1/apps', { token: 'wrong-token-0123456789', headers: { cookie } });
    expect(wrongBearer.status).toBe(401);
  });

  it('when an SDK route is called with only a session cookie, then it is refused: ingest keys are unaffected', async () => {
    const { cookie } = await signIn();
    const res = await withCookie(cookie, '/v1/events', { method: 'POST', json: { events: [] } });
    expect(res.status).toBe(401);
  });

  it('when a session is stored, then Redis holds only a hash of its id', async () => {
    const { cookie } = await signIn();
    const id = cookie.split('=')[1]!;
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = await redis.keys(`${svc.prefix}:session:*`);
      expect(keys.length).toBeGreaterThan(0);
      const values = await Promise.all(keys.map((k) => redis.get(k)));
      expect([...keys, ...values].join('\n')).not.toContain(id);
      const ttl = await redis.pttl(keys[0]!);
      expect(ttl).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});
