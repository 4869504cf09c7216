import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { loadConfig } from '../src/config';
import { builtDashboardDir } from '../src/http/dashboard';
import { startService } from '../src/service';
import { CHROMIUM_ARGS, CHROMIUM_PATH, type InPage } from '../test/support/chromium';
import { deletePrefix, testPrefix } from '../test/support/redis';

/**
 * The dashboard's cost to a phone: the bytes of its first load (JS + CSS, gzipped as served) and the time to draw a
 * 7-day chart in Chromium, each next to a baseline measured in the same run: uPlot's own files, and uPlot alone
 * drawing the same points in the same tab (the dashboard's page emptied). The chart is drawn at the dashboard's 7-day resolution (30-minute steps,
 * 336 points) and at minute resolution (10 080 points, what the API can return at most) to show the headroom.
 * Needs a built dashboard (`npm run build`), Redis on 127.0.0.1:6379 and /usr/bin/chromium.
 */
const RUNS = 7;
const WIDTH = 1280;
const HEIGHT = 900;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const gz = (file: string) => gzipSync(readFileSync(file)).length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function firstLoad(dir: string) {
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const uplot = path.dirname(require.resolve('uplot/package.json'));
  return {
    dashboard: files.reduce((sum, f) => sum + gz(path.join(dir, f)), gz(path.join(dir, 'index.html'))),
    files: files.length,
    uplot: gz(path.join(uplot, 'dist', 'uPlot.iife.min.js')) + gz(path.join(uplot, 'dist', 'uPlot.min.css')),
  };
}

/** A week of login minutes with a daily cycle, a release and an incident, as `/series` answers it. */
function week(end: number, stepSeconds: number) {
  const step = stepSeconds * 1000;
  const count = Math.floor((7 * 86_400_000) / step);
  const start = end - count * step;
  const points = Array.from({ length: count }, (_, i) => {
    const at = start + i * step;
    const hour = new Date(at).getUTCHours();
    const attempts = Math.round((stepSeconds / 60) * (60 + 50 * Math.sin(((hour - 6) / 24) * 2 * Math.PI)) + (i % 7));
    const failures = Math.round(attempts * (i > count * 0.6 && i < count * 0.62 ? 0.38 : 0.015));
    return { at: new Date(at).toISOString(), attempts, failures, errorRate: attempts ? failures / attempts : 0, users: attempts };
  });
  return { start, body: { step: stepSeconds, points } };
}

/** Milliseconds from clicking "7 d" to the chart's draw hook having run, in the dashboard. */
async function dashboardDraw(page: Page): Promise<number> {
  await page.getByRole('radio', { name: '24 h' }).check();
  await page.locator('.chart-canvas[data-drawn="true"]').waitFor();
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const { document, performance, MutationObserver } = globalThis as unknown as InPage;
        const canvas = document.querySelector('.chart-canvas')!;
        const t0 = performance.now();
        let cleared = false;
        new MutationObserver((_, observer) => {
          if (canvas.dataset.drawn !== 'true') cleared = true;
          else if (cleared) {
            observer.disconnect();
            resolve(performance.now() - t0);
          }
        }).observe(canvas, { attributes: true, attributeFilter: ['data-drawn'] });
        document.querySelector('input[name="range"][value="7d"]')!.click();
      }),
  );
}

/** Milliseconds for uPlot alone to build and draw the same columns at the same size, in place of the dashboard. */
async function uplotDraw(page: Page, body: ReturnType<typeof week>['body']): Promise<number> {
  return page.evaluate(
    ([series, width]) =>
      new Promise<number>((resolve) => {
        const { document, performance, uPlot } = globalThis as unknown as InPage;
        const root = document.createElement('div');
        document.body.replaceChildren(root);
        const t0 = performance.now();
        const xs = series.points.map((p) => Date.parse(p.at) / 1000);
        const data = [xs, series.points.map((p) => p.attempts), series.points.map((p) => (p.attempts ? p.failures / p.attempts : null))];
        new uPlot(
          {
            width,
            height: 300,
            scales: { x: { time: true } },
            series: [{}, { scale: 'n' }, { scale: 'rate', stroke: '#0072B2' }],
            axes: [{}, { scale: 'rate' }, { scale: 'n', side: 1 }],
            hooks: { draw: [() => resolve(performance.now() - t0)] },
          },
          data,
          root,
        );
      }),
    [body, WIDTH - 60] as const,
  );
}

async function main(): Promise<void> {
  const dir = builtDashboardDir();
  if (!dir) throw new Error('the dashboard is not built: run npm run build');
  const size = firstLoad(dir);

  const prefix = testPrefix('bench-dashboard');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-dashboard-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', REDIS_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ADMIN_TOKEN: 'bench-admin-token-0123456789' });
  const service = await startService({ config, mode: 'api' });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    // bypassCSP: the baseline's uPlot is injected into the dashboard's own tab, so both draw under the same conditions.
    const context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT }, baseURL: service.url, bypassCSP: true });
    const page = await context.newPage();
    const signIn = await page.request.post('/v1/session', { data: { token: service.adminToken } });
    if (!signIn.ok()) throw new Error(`sign-in answered ${signIn.status()}`);
    const csrf = ((await signIn.json()) as { csrfToken: string }).csrfToken;
    const app = (await (await page.request.post('/v1/apps', { data: { name: 'bench' }, headers: { 'x-csrf-token': csrf } })).json()) as { id: string };

    const results: Array<{ label: string; points: number; dashboard: number; uplot: number }> = [];
    for (const stepSeconds of [1800, 60]) {
      const { start, body } = week(Date.now(), stepSeconds);
      // The same week for every request: what is measured is the page's work, not Redis's.
      await page.unroute('**/v1/apps/*/series*').catch(() => undefined);
      await page.route('**/v1/apps/*/series*', (route) => route.fulfill({ json: body }));
      await page.route('**/v1/releases*', (route) =>
        route.fulfill({ json: { releases: [{ id: 'r1', app: app.id, appVersion: '5.2.0', platform: 'android', releasedAt: new Date(start + 4 * 86_400_000).toISOString(), rolloutPercent: null, notes: null }] } }),
      );
      await page.goto(`/apps/${app.id}?range=24h`);
      const dashboard: number[] = [];
      for (let i = 0; i < RUNS; i++) dashboard.push(await dashboardDraw(page));

      await page.addScriptTag({ path: require.resolve('uplot/dist/uPlot.iife.min.js') });
      const alone: number[] = [];
      for (let i = 0; i < RUNS; i++) alone.push(await uplotDraw(page, body));
      results.push({ label: stepSeconds === 60 ? '7 d by minute' : '7 d as shown (30 min)', points: body.points.length, dashboard: median(dashboard), uplot: median(alone) });
    }

    console.log('First load of the dashboard (gzip, as served):');
    console.log(`  dashboard  ${kb(size.dashboard).padStart(9)}  (index.html + ${size.files} files: JS + CSS)`);
    console.log(`  uPlot      ${kb(size.uplot).padStart(9)}  (uPlot.iife.min.js + uPlot.min.css alone, baseline)`);
    console.log(`\nTime to draw a 7-day chart in Chromium (median of ${RUNS}, ${WIDTH} px wide):`);
    console.log('  chart                    points   dashboard   uPlot alone   ratio');
    for (const r of results) {
      console.log(
        `  ${r.label.padEnd(24)} ${String(r.points).padStart(6)}   ${`${r.dashboard.toFixed(1)} ms`.padStart(9)}   ${`${r.uplot.toFixed(1)} ms`.padStart(11)}   ${(r.dashboard / r.uplot).toFixed(1).padStart(5)}`,
      );
    }
    console.log('  (dashboard: click on "7 d" → answer parsed, shaped, markers and bands drawn; uPlot alone: build and draw)');
  } finally {
    await browser.close();
    await service.stop();
    await deletePrefix(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
