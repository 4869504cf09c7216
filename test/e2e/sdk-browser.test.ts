import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type * as Sdk from '../../sdk/src/index';
import { countedLogins, countedWhenDrained } from '../support/sdk-counting';
import { eventually, startTestService, type TestService } from '../support/service';

const ROOT = path.join(__dirname, '..', '..');
const BUNDLE = path.join(ROOT, 'sdk', 'dist', 'browser', 'vigil.min.js');

/** What the page script puts on window (globalThis in the page). */
type PageWindow = { Vigil: typeof Sdk; vigil: Sdk.Vigil; vigilErrors: string[] };

/** The shop's own site: another origin (another port) than the service, serving the page and the SDK's browser build. */
async function startSite(): Promise<{ server: Server; origin: string }> {
  const page = readFileSync(path.join(__dirname, '..', 'support', 'sdk-page.html'));
  const bundle = readFileSync(BUNDLE);
  const server = createServer((req, res) => {
    const [type, body] = req.url === '/vigil.min.js' ? ['text/javascript', bundle] : ['text/html', page];
    res.writeHead(200, { 'content-type': type }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('the SDK browser build in headless Chromium, on a page of another origin', () => {
  let site: { server: Server; origin: string };
  let service: TestService;
  let browser: Browser;
  let app: { id: string; ingestKey: string };
  let pageUrl: string;
  const since = Date.now();

  beforeAll(async () => {
    // The browser file from the current sources, by the package's own build script.
    execFileSync(process.execPath, [path.join(ROOT, 'sdk', 'scripts', 'build.mjs'), '--browser-only'], { stdio: 'inherit' });
    site = await startSite();
    service = await startTestService('sdk-browser', { env: { CORS_ORIGINS: site.origin } });
    app = (await (await service.api('/v1/apps', { method: 'POST', json: { name: 'shop-web' } })).json()) as typeof app;
    pageUrl = `${site.origin}/?endpoint=${encodeURIComponent(service.url)}&key=${encodeURIComponent(app.ingestKey)}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await service?.cleanup();
    await new Promise((resolve) => site?.server.close(resolve));
  });

  const openShop = async (): Promise<Page> => {
    const context = browser.contexts()[0] ?? (await browser.newContext());
    const page = await context.newPage();
    await page.goto(pageUrl);
    return page;
  };

  it('when the page tracks logins and flushes, then the service counts them, gzipped across origins, and the banner status arrives', async () => {
    const page = await openShop();
    const encodings: string[] = [];
    page.on('request', (req) => {
      if (req.url().endsWith('/v1/events') && req.method() === 'POST') encodings.push(req.headers()['content-encoding'] ?? 'identity');
    });
    const result = await page.evaluate(async () => {
      const { vigil, vigilErrors } = globalThis as unknown as PageWindow;
      for (let i = 0; i < 30; i++) {
        vigil.trackLogin(i % 3 === 0 ? { outcome: 'failure', errorCode: 'AUTH_TIMEOUT', userId: `user-${i}` } : { outcome: 'success', userId: `user-${i}` });
      }
      const flushed = await vigil.flush();
      return { flushed, stats: vigil.stats(), errors: vigilErrors };
    });
    expect(result).toEqual({ flushed: true, stats: { queued: 0, delivered: 30, dropped: 0, refused: 0 }, errors: [] });
    expect(encodings).toEqual(['gzip']);
    expect(await countedWhenDrained(service, app.id, since)).toEqual({ attempts: 30, failures: 10 });

    const status = await page.waitForFunction(() => (globalThis as unknown as PageWindow).vigil.status.current());
    expect(await status.jsonValue()).toEqual({ status: 'operational', incidents: [] });
    await page.close();
  }, 60_000);

  it('when the user leaves the page right after logging in, then pagehide sends the last batch with keepalive', async () => {
    const before = (await countedWhenDrained(service, app.id, since)).attempts;
    const page = await openShop();
    await page.evaluate(() => {
      const { vigil } = globalThis as unknown as PageWindow;
      for (let i = 0; i < 5; i++) vigil.trackLogin({ outcome: 'success', userId: 'leaving-user' });
    });
    // Leaving: pagehide fires, and nothing of the page survives to retry.
    await page.goto('about:blank');
    await eventually(async () => ((await countedLogins(service, app.id, since)).attempts === before + 5 ? true : undefined), 15_000);
    await page.close();
  }, 60_000);
});
