import { startTestService, type TestService } from '../support/service';

const PAGE = 'https://shop.example.com';
const OTHER = 'https://evil.example.net';

/** A browser's preflight for `method path` with the headers the SDK sends. */
const preflight = (service: TestService, path: string, origin: string, method = 'POST') =>
  fetch(`${service.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type,content-encoding,idempotency-key',
    },
  });

describe('CORS for the SDK routes', () => {
  let service: TestService;
  let app: { id: string; ingestKey: string };

  beforeAll(async () => {
    service = await startTestService('cors-http', { env: { CORS_ORIGINS: `${PAGE},http://localhost:8081` } });
    app = (await (await service.api('/v1/apps', { method: 'POST', json: { name: 'shop-web' } })).json()) as typeof app;
  });
  afterAll(() => service.cleanup());

  it.each([
    ['/v1/events', 'POST'],
    ['/v1/status', 'GET'],
    ['/v1/releases', 'POST'],
  ])('when a listed origin preflights %s, then the browser may send the SDK headers', async (path, method) => {
    const res = await preflight(service, path, PAGE, method);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('access-control-allow-methods')).toBe(method);
    expect(res.headers.get('access-control-allow-headers')).toBe('Authorization,Content-Type,Content-Encoding,Idempotency-Key,If-None-Match');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('when an unlisted origin preflights, then the answer carries no permission', async () => {
    const res = await preflight(service, '/v1/events', OTHER);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('when a listed origin posts events, then the answer lets the page read it, Retry-After and ETag included', async () => {
    const res = await service.api('/v1/events', {
      method: 'POST',
      token: app.ingestKey,
      headers: { origin: PAGE },
      json: { events: [{ type: 'login', ts: Date.now(), outcome: 'success', appVersion: '1.0.0', platform: 'ios' }] },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After,ETag,Date');
  });

  it('when the status is read from a listed origin, then both Vary: Origin and Vary: Authorization hold', async () => {
    const res = await service.api('/v1/status', { token: app.ingestKey, headers: { origin: PAGE } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('vary')).toMatch(/Origin.*Authorization/);
  });

  it('when a request from a listed origin is refused (401), then the page can still read the error', async () => {
    const res = await service.api('/v1/events', { method: 'POST', token: 'vk_wrong', headers: { origin: PAGE }, json: { events: [] } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
  });

  it.each([
    ['GET', '/v1/apps'],
    ['GET', '/v1/releases'],
    ['GET', '/v1/incidents'],
    ['GET', '/metrics'],
  ])('when an operator route (%s %s) is called from a listed origin, then it gets no CORS headers', async (method, path) => {
    const res = await service.api(path, { method, headers: { origin: PAGE } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await preflight(service, path, PAGE, method);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('CORS when CORS_ORIGINS is unset', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService('cors-unset');
  });
  afterAll(() => service.cleanup());

  it('when a page preflights an SDK route, then no CORS headers are sent at all', async () => {
    const res = await preflight(service, '/v1/events', PAGE);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
    const status = await service.api('/v1/status', { headers: { origin: PAGE } });
    expect(status.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS_ORIGINS=*', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService('cors-any', { env: { CORS_ORIGINS: '*' } });
  });
  afterAll(() => service.cleanup());

  it('when any page preflights an SDK route, then it is allowed, and operator routes still are not', async () => {
    expect((await preflight(service, '/v1/events', OTHER)).headers.get('access-control-allow-origin')).toBe('*');
    expect((await preflight(service, '/v1/apps', OTHER, 'GET')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
