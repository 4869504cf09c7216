import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { aggregate, failInRealTime, healthyMinute, iso, MIN, minuteOf } from '../support/login-traffic';
import { eventually, startTestService, type TestService } from '../support/service';
import { CHROMIUM_ARGS, CHROMIUM_PATH, type InPage } from '../support/chromium';

/**
 * The operators' dashboard in real headless Chromium against the real service: real traffic opens an incident, and
 * on-call signs in, sees it on the chart with its markers, acknowledges, writes the banner, resolves, edits and
 * publishes the postmortem (through a version conflict), and signs out. Screenshots of the main pages, at desktop
 * and phone widths, go to test-results/dashboard/ (git-ignored) for a person to look at.
 */
const SHOTS = path.join(__dirname, '..', '..', 'test-results', 'dashboard');
const RELEASE_COLOR = '#6a3d9a';
const DETECTED_COLOR = '#b00020';

describe('the dashboard, end to end in Chromium', () => {
  let svc: TestService;
  let browser: Browser;
  let app: { id: string; ingestKey: string };
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    svc = await startTestService('dashboard-e2e');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    app = (await (await svc.api('/v1/apps', { method: 'POST', json: { name: 'shop-android' } })).json()) as typeof app;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await svc?.cleanup();
  });

  /**
   * A browser tab that records console errors (CSP violations among them) and uncaught exceptions. Chromium also logs
   * every 4xx answer ("Failed to load resource"): the 401 of a tab without a session and the 409 of the conflict are
   * expected, so those are left out.
   */
  const open = async (viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport, baseURL: svc.url });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return { context, page };
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const signIn = async (page: Page, screenshot: string) => {
    await page.goto('/');
    await page.getByLabel('Admin token').waitFor();
    await shot(page, screenshot);
    await page.getByLabel('Admin token').fill(svc.adminToken);
    await page.getByLabel('Your name').fill('dana');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Apps', level: 1 }).waitFor();
  };
  const send = async (events: unknown[]) => {
    const res = await svc.api('/v1/events', { method: 'POST', token: app.ingestKey, json: { events } });
    if (res.status !== 202) throw new Error(`POST /v1/events answered ${res.status}: ${await res.text()}`);
  };
  /** Pixels of one colour on the chart's canvas: the markers are drawn, not only listed. */
  const pixelsOf = (page: Page, hex: string) =>
    page.evaluate((color) => {
      const { document } = globalThis as unknown as InPage;
      const canvas = document.querySelector('.chart-canvas canvas');
      if (!canvas) return 0;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)) as [number, number, number];
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - r) < 10 && Math.abs(data[i + 1]! - g) < 10 && Math.abs(data[i + 2]! - b) < 10 && data[i + 3]! > 200) n += 1;
      }
      return n;
    }, hex);
  const noHorizontalScroll = (page: Page) =>
    page.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as InPage;
      return document.documentElement.scrollWidth <= innerWidth;
    });

  it('when real traffic opens an incident, then on-call sees it charted, acts on it, publishes the postmortem and signs out', async () => {
    const { context, page } = await open({ width: 1280, height: 900 });

    // Without a session, the page offers sign-in and the data routes refuse the browser.
    expect((await page.request.get('/v1/incidents')).status()).toBe(401);
    await signIn(page, 'desktop-0-sign-in');
    await shot(page, 'desktop-1-overview-healthy');

    // An hour of healthy logins, a 5.2.0 release, then its logins fail in real time until an incident opens.
    const now = minuteOf(Date.now());
    const history = [];
    for (let minute = now - 60 * MIN; minute <= now - 3 * MIN; minute += MIN) history.push(...healthyMinute(minute));
    await send(history);
    await svc.api('/v1/releases', { method: 'POST', token: app.ingestKey, json: { appVersion: '5.2.0', platform: 'android', releasedAt: iso(now - 2 * MIN - 30_000) } });
    const rollout = (minute: number) => [...healthyMinute(minute), aggregate(minute, '5.2.0', 'android', 150, 135, 'AUTH_TIMEOUT')];
    await send([...rollout(now - 2 * MIN), ...rollout(now - MIN)]);
    const stopFailing = failInRealTime(send);
    let incidentId: string;
    try {
      incidentId = await eventually(async () => {
        const body = (await (await svc.api(`/v1/incidents?app=${app.id}`)).json()) as { incidents: Array<{ id: string }> };
        return body.incidents[0]?.id;
      }, 90_000, 1000);
    } finally {
      await stopFailing();
    }

    // The overview says so; the app page charts the last hour with the release, the incident band and its detection.
    await page.reload();
    await page.getByRole('link', { name: 'shop-android' }).waitFor();
    await expect(page.locator('.card').first().textContent()).resolves.toMatch(/Outage|Degraded/);
    await shot(page, 'desktop-2-overview-incident');
    await page.getByRole('link', { name: 'shop-android' }).click();
    await page.getByRole('radio', { name: '1 h' }).check();
    const chart = page.locator('.chart-canvas[data-drawn="true"]');
    await chart.waitFor();
    await expect(chart.getAttribute('data-release-markers')).resolves.toBe('1');
    await expect(chart.getAttribute('data-incident-bands')).resolves.toBe('1');
    await expect(chart.getAttribute('data-detection-markers')).resolves.toBe('1');
    expect(await pixelsOf(page, RELEASE_COLOR)).toBeGreaterThan(50);
    expect(await pixelsOf(page, DETECTED_COLOR)).toBeGreaterThan(50);
    await expect(page.getByRole('list', { name: 'Markers on the chart' }).textContent()).resolves.toMatch(/Release 5\.2\.0 \(android\)/);
    await shot(page, 'desktop-3-app-1h');
    await page.getByLabel('Split by').selectOption('appVersion');
    await page.locator('.u-legend', { hasText: '5.2.0' }).waitFor();
    await page.locator('.chart-canvas[data-drawn="true"]').waitFor();
    await shot(page, 'desktop-4-app-split-by-version');

    // The incident page: what, where, and the buttons.
    await page.goto(`/incidents/${incidentId}`);
    await page.getByRole('heading', { level: 1, name: /Login failures/ }).waitFor();
    await expect(page.locator('main').textContent()).resolves.toMatch(/App version\s*5\.2\.0/);
    await page.locator('.chart-canvas[data-drawn="true"]').waitFor();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('.page-title .badge', { hasText: 'Acknowledged' }).waitFor();
    await page.getByLabel(/Banner message/).fill('Logging in on Android 5.2.0 fails; please update when 5.2.1 is out.');
    await expect(page.getByRole('note').textContent()).resolves.toMatch(/5\.2\.1 is out/);
    await page.getByRole('button', { name: 'Save message' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.getByRole('button', { name: 'Silence notifications' }).click();
    await page.getByText(/Silenced until/).waitFor();
    await page.getByLabel('Note', { exact: true }).fill('Rolling back 5.2.0 in the store.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.timeline', { hasText: 'Rolling back 5.2.0' }).waitFor();
    await shot(page, 'desktop-5-incident-acknowledged');
    await page.getByLabel(/Resolution note/).fill('5.2.0 pulled; 5.2.1 fixes the token refresh.');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('.page-title .badge', { hasText: 'Resolved' }).waitFor();
    const incident = (await (await svc.api(`/v1/incidents/${incidentId}`)).json()) as {
      status: string;
      publicMessage: string;
      timeline: Array<{ type: string; message: string; by?: string }>;
    };
    expect(incident).toMatchObject({ status: 'resolved', publicMessage: expect.stringMatching(/5\.2\.1/) });
    // The session's name is who the timeline says acted.
    const byDana = incident.timeline.filter((e) => e.by === 'dana');
    expect(byDana.map((e) => e.type)).toEqual(expect.arrayContaining(['acknowledged', 'note', 'resolved']));
    expect(byDana.map((e) => e.message).join('\n')).toMatch(/Rolling back 5\.2\.0 in the store/);

    // The postmortem: a colleague's save in between is a conflict said in words; then edit, add a task, publish.
    await page.getByRole('link', { name: 'Review the postmortem' }).click();
    await page.getByLabel('Summary', { exact: true }).waitFor().catch(async (err: unknown) => {
      await shot(page, 'failure');
      throw new Error(`${String(err)}\n${problems.join('\n')}\n${await page.locator('main').textContent()}`);
    });
    const before = (await (await svc.api(`/v1/incidents/${incidentId}/postmortem`)).json()) as { version: number };
    const colleague = await svc.api(`/v1/incidents/${incidentId}/postmortem`, { method: 'PATCH', json: { by: 'sam', version: before.version, resolution: 'Pulled 5.2.0 from the store (sam).' } });
    expect(colleague.status).toBe(200);
    await page.getByLabel('Root cause').fill('The 5.2.0 token refresh called a retired endpoint.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: 'Someone else changed this postmortem' }).waitFor();
    await shot(page, 'desktop-6-postmortem-conflict');
    await page.getByRole('button', { name: /Load their version/ }).click();
    await page.locator('.document', { hasText: 'Pulled 5.2.0 from the store (sam).' }).waitFor();
    expect(await page.getByLabel('Resolution', { exact: true }).inputValue()).toBe('Pulled 5.2.0 from the store (sam).');
    await page.getByLabel('Root cause').fill('The 5.2.0 token refresh called a retired endpoint.');
    await page.getByRole('button', { name: 'Add task' }).click();
    const task = page.getByRole('group', { name: /^Task \d+$/ }).last();
    await task.getByLabel('Task', { exact: true }).fill('Contract test for the token endpoint');
    await task.getByLabel('Owner').fill('dana');
    await task.getByLabel('Due date').fill('2030-01-15');
    await task.getByLabel('Status').selectOption('in_progress');
    await expect(page.locator('.document').textContent()).resolves.toMatch(/Contract test for the token endpoint/);
    await shot(page, 'desktop-7-postmortem-edit');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.locator('.page-title .badge', { hasText: 'Published' }).waitFor();
    const published = (await (await svc.api(`/v1/incidents/${incidentId}/postmortem`)).json()) as {
      status: string;
      rootCause: string;
      resolution: string;
      tasks: Array<{ title: string; owner: string | null; dueDate: string | null; status: string }>;
    };
    expect(published).toMatchObject({ status: 'published', rootCause: 'The 5.2.0 token refresh called a retired endpoint.', resolution: 'Pulled 5.2.0 from the store (sam).' });
    expect(published.tasks).toContainEqual({ id: expect.any(String), title: 'Contract test for the token endpoint', owner: 'dana', dueDate: '2030-01-15', status: 'in_progress' });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download Markdown' }).click();
    expect((await download).suggestedFilename()).toBe(`postmortem-${incidentId}.md`);
    await shot(page, 'desktop-8-postmortem-published');

    // Sign out ends the session: the page asks for the token again and the data routes refuse the browser.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect((await page.request.get('/v1/incidents')).status()).toBe(401);
    expect((await page.request.get(`/v1/apps/${app.id}/series`)).status()).toBe(401);
    await context.close();

    // On a phone: every main page fits 390 px without sideways scrolling.
    const phone = await open({ width: 390, height: 844 });
    await signIn(phone.page, 'phone-0-sign-in');
    const pages: Array<[string, string, string]> = [
      ['/', 'phone-1-overview', '.card'],
      [`/apps/${app.id}?range=1h`, 'phone-2-app', '.chart-canvas[data-drawn="true"]'],
      [`/incidents`, 'phone-3-incidents', '.incident-list li'],
      [`/incidents/${incidentId}`, 'phone-4-incident', '.chart-canvas[data-drawn="true"]'],
      [`/incidents/${incidentId}/postmortem`, 'phone-5-postmortem', '.document'],
      ['/channels', 'phone-6-channels', 'form'],
      ['/silences', 'phone-7-silences', '.incident-list li'],
    ];
    for (const [url, name, ready] of pages) {
      await phone.page.goto(url);
      await phone.page.locator(ready).first().waitFor();
      await shot(phone.page, name);
      expect({ url, fits: await noHorizontalScroll(phone.page) }).toEqual({ url, fits: true });
    }

    // Channels and silences from the phone: a signed webhook whose secret is never shown again, then both deleted.
    phone.page.on('dialog', (dialog) => void dialog.accept());
    await phone.page.goto('/channels');
    await phone.page.getByLabel('URL').fill('https://hooks.example.com/vigil');
    await phone.page.getByLabel('Signing secret').fill('webhook-secret-0123456789');
    await phone.page.getByRole('button', { name: 'Add channel' }).click();
    const channel = phone.page.locator('.incident-list li', { hasText: 'hooks.example.com' });
    await channel.getByText('signed').waitFor();
    expect(await phone.page.locator('main').textContent()).not.toContain('webhook-secret-0123456789');
    expect(await phone.page.getByLabel('Signing secret').inputValue()).toBe('');
    await channel.getByRole('button', { name: /^Delete the webhook channel/ }).click();
    await phone.page.getByText('No channels').waitFor();
    await phone.page.goto('/silences');
    await phone.page.getByRole('button', { name: /^Delete the silence of shop-android/ }).click();
    await phone.page.getByText('No silences').waitFor();
    expect(((await (await svc.api('/v1/silences')).json()) as { silences: unknown[] }).silences).toEqual([]);
    await phone.context.close();

    expect(problems).toEqual([]);
    // About a minute on a quiet machine; 7.5 min was seen with the 2 cores shared by a dozen other test runs.
  }, 720_000);
});
