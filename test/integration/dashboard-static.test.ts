import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Registry } from 'prom-client';
import { createHttpApp } from '../../src/http/app';
import { builtDashboardDir } from '../../src/http/dashboard';
import { PACKAGE_ROOT } from '../../src/package';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { makeTempDir } from '../support/tmp';

/** The dashboard's files as the API serves them: cache headers, the client-side routes, and the CSP. */
describe('serving the built dashboard', () => {
  const tmp = makeTempDir('dashboard-static');
  const dir = path.join(tmp.dir, 'dist', 'web');
  let server: Server;
  let url: string;

  beforeAll(async () => {
    mkdirSync(path.join(dir, 'assets'), { recursive: true });
    writeFileSync(path.join(tmp.dir, 'package.json'), '{}');
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Vigil</title><script type="module" src="/assets/index-abc123.js"></script>');
    writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('vigil '.repeat(2000))})`);
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    server = createHttpApp({ logger: createLogger('silent'), metrics, routers: [], dashboardDir: dir }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    tmp.remove();
  });

  const page = (p: string) => fetch(`${url}${p}`, { headers: { accept: 'text/html' } });

  it('when / is asked for, then index.html is served uncached, under a CSP without inline scripts or an HTTPS upgrade', async () => {
    const res = await page('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    expect(csp).toMatch(/frame-ancestors 'self'/);
    expect(await res.text()).toContain('<title>Vigil</title>');
  });

  it('when a page of the client-side router is opened directly, then index.html answers it', async () => {
    for (const p of ['/incidents/inc_123', '/apps/app_1?range=7d', '/incidents/inc_1/postmortem']) {
      const res = await page(p);
      expect({ p, status: res.status, html: (await res.text()).includes('<title>Vigil</title>') }).toEqual({ p, status: 200, html: true });
    }
  });

  it('when a hashed asset is asked for, then it may be cached for a year', async () => {
    const res = await fetch(`${url}/assets/index-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('when the browser takes gzip, then the assets travel compressed', async () => {
    const res = await fetch(`${url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.text()).toContain('vigil vigil');
  });

  it('when an API path or a missing file is asked for, then the JSON 404 stays', async () => {
    for (const p of ['/v1/nothing-here', '/assets/missing-000.js', '/favicon.ico']) {
      const res = await page(p);
      expect({ p, status: res.status, type: res.headers.get('content-type') }).toEqual({ p, status: 404, type: expect.stringMatching(/json/) });
    }
  });

  it('when the package has a built dashboard, then it is found under the package root; otherwise null', () => {
    expect(builtDashboardDir(tmp.dir)).toBe(dir);
    expect(PACKAGE_ROOT).toBe(path.resolve(__dirname, '..', '..'));
    const bare = makeTempDir('dashboard-unbuilt');
    try {
      writeFileSync(path.join(bare.dir, 'package.json'), '{}');
      expect(builtDashboardDir(bare.dir)).toBeNull();
    } finally {
      bare.remove();
    }
  });
});
