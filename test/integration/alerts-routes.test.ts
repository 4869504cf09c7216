import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium } from 'playwright-core';
import { KeyResolver } from '../../src/apps/key-resolver';
import { AppService } from '../../src/apps/service';
import { systemClock } from '../../src/clock';
import { createHttpApp } from '../../src/http/app';
import { createAuth } from '../../src/http/auth';
import { ackLinkRouter } from '../../src/http/routes/ack-link';
import { channelsRouter } from '../../src/http/routes/channels';
import { incidentsRouter } from '../../src/http/routes/incidents';
import { silencesRouter } from '../../src/http/routes/silences';
import { createLogger } from '../../src/logger';
import { ADMIN_TOKEN, alertsHarness, type AlertsHarness } from '../support/alerts-harness';

// Deliveries, retries and workers on a shared, sometimes overloaded machine: deadlines are for hangs, not for speed.
jest.setTimeout(90_000);

interface Listed {
  channels?: { id: string }[];
  silences?: { id: string }[];
}
interface ErrorBody {
  error: { code: string; details: { field: string }[] };
}
interface Created {
  id: string;
}
interface AckBody {
  result: string;
}
const read = async <T>(res: Response): Promise<T> => (await res.json()) as T;

describe('channels, silences and the acknowledge link over HTTP', () => {
  let h: AlertsHarness;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    h = await alertsHarness('alerts-routes');
    const auth = createAuth(ADMIN_TOKEN, new KeyResolver(h.stores.apps, systemClock));
    const apps = new AppService(h.stores.apps, systemClock);
    const app = createHttpApp({
      logger: createLogger('silent'),
      metrics: h.metrics,
      routers: [
        ackLinkRouter({ ackLinks: h.alerting.ackLinks, incidents: h.stores.incidents, acknowledger: h.service }),
        // The production default: channels may not point inside the network.
        channelsRouter({ auth, channels: h.stores.channels, apps, clock: systemClock, allowPrivateTargets: false }),
        incidentsRouter({ auth, incidents: h.service }),
        silencesRouter({ auth, silences: h.stores.silences, apps, clock: systemClock }),
      ],
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.close();
  });

  const call = (path: string, init: { method?: string; json?: unknown; form?: Record<string, string>; token?: string | null; accept?: string } = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? (init.json === undefined && init.form === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? ADMIN_TOKEN}` }),
        ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.accept ? { accept: init.accept } : {}),
      },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
      // URLSearchParams sets application/x-www-form-urlencoded, as a browser submitting the form does.
      ...(init.form === undefined ? {} : { body: new URLSearchParams(init.form) }),
    });

  describe('channels', () => {
    it('when created with a secret, then 201 says hasSecret and never shows the secret; GET lists and reads it; DELETE removes it', async () => {
      const app = await h.createApp();
      const res = await call('/v1/channels', {
        json: { type: 'webhook', url: 'https://hooks.example.com/x', secret: 'sup3r-s3cret', apps: [app], minSeverity: 'major', escalateAfterMinutes: 2.5 },
      });
      expect(res.status).toBe(201);
      const text = await res.text();
      expect(text).not.toContain('sup3r-s3cret');
      const created = JSON.parse(text) as Created;
      expect(created).toMatchObject({ type: 'webhook', url: 'https://hooks.example.com/x', hasSecret: true, apps: [app], minSeverity: 'major', escalateAfterMinutes: 2.5 });
      expect((await read<Listed>(await call('/v1/channels'))).channels!.map((c) => c.id)).toContain(created.id);
      expect(await read<Created>(await call(`/v1/channels/${created.id}`))).toEqual(created);
      expect((await call(`/v1/channels/${created.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await call(`/v1/channels/${created.id}`)).status).toBe(404);
    });

    it('when a Slack channel is listed, then its URL (the credential) is redacted', async () => {
      const res = await call('/v1/channels', { json: { type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/SECRET' } });
      expect(await read<Created>(res)).toMatchObject({ url: 'https://hooks.slack.com/…', hasSecret: false });
    });

    it.each([
      [{ type: 'pagerduty', url: 'https://events.pagerduty.com/v2/enqueue' }, 'routingKey'],
      [{ type: 'webhook', url: 'ftp://example.com/x' }, 'url'],
      [{ type: 'webhook', url: 'https://example.com', escalateAfterMinutes: 0 }, 'escalateAfterMinutes'],
      [{ type: 'webhook', url: 'https://example.com', colour: 'red' }, 'colour'],
      [{ type: 'sms', url: 'https://example.com' }, 'type'],
      [{ type: 'slack', url: 'https://hooks.slack.com/x', routingKey: 'k' }, 'routingKey'],
      [{ type: 'pagerduty', url: 'https://events.pagerduty.com/v2/enqueue', routingKey: 'a'.repeat(31) }, 'routingKey'],
      [{ type: 'pagerduty', url: 'https://events.pagerduty.com/v2/enqueue', routingKey: `${'a'.repeat(31)}!` }, 'routingKey'],
      [{ type: 'webhook', url: 'https://user:pass@hooks.example.com/x' }, 'url'],
    ])('when the body is %j, then 400 names %s', async (json, field) => {
      const res = await call('/v1/channels', { json });
      expect(res.status).toBe(400);
      const body = await read<ErrorBody>(res);
      expect(body.error.details.map((d) => d.field)).toContain(field);
    });

    it('when a PagerDuty routing key has 32 characters, then the channel is created', async () => {
      const res = await call('/v1/channels', { json: { type: 'pagerduty', url: 'https://events.pagerduty.com/v2/enqueue', routingKey: 'e93facc04764012d7bfb002500d5d1a6' } });
      expect(res.status).toBe(201);
      expect(await read<Created>(res)).toMatchObject({ type: 'pagerduty', hasRoutingKey: true });
    });

    it.each([
      'http://127.0.0.1:6379/',
      'http://0.0.0.0/',
      'http://2130706433/',
      'http://0x7f000001/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://10.0.0.5/',
      'http://100.100.100.200/',
      'http://localhost:8080/',
    ])('when the URL is %s, then 400 names url and says why, and nothing is stored', async (url) => {
      const before = (await h.stores.channels.list()).length;
      const res = await call('/v1/channels', { json: { type: 'webhook', url } });
      expect(res.status).toBe(400);
      const body = await read<ErrorBody & { error: { details: { message: string }[] } }>(res);
      expect(body.error.details).toEqual([{ field: 'url', message: expect.stringMatching(/^points at the .*; set ALERT_ALLOW_PRIVATE_TARGETS=true to allow it$/) }]);
      expect((await h.stores.channels.list()).length).toBe(before);
    });

    it('when a channel names an app that does not exist, then 404', async () => {
      expect((await call('/v1/channels', { json: { type: 'webhook', url: 'https://e.com', apps: ['app_nope'] } })).status).toBe(404);
    });

    it('when called without the admin token, then 401', async () => {
      expect((await call('/v1/channels', { token: null })).status).toBe(401);
    });
  });

  describe('silences', () => {
    it('when created, then it is listed while active; an expired one only with ?all=true; DELETE removes it', async () => {
      const app = await h.createApp();
      const until = new Date(Date.now() + 3600_000).toISOString();
      const res = await call('/v1/silences', { json: { app, until, reason: 'release freeze', kind: 'error_rate' } });
      expect(res.status).toBe(201);
      const created = await read<Created>(res);
      expect(created).toMatchObject({ app, until, reason: 'release freeze', kind: 'error_rate', active: true });
      const expired = await h.stores.silences.create({ app, kind: null, until: Date.now() - 1000, reason: 'old', createdAt: Date.now() - 5000 });

      const active = (await read<Listed>(await call('/v1/silences'))).silences!.map((x) => x.id);
      expect(active).toContain(created.id);
      expect(active).not.toContain(expired.id);
      const all = (await read<Listed>(await call('/v1/silences?all=true'))).silences!.map((x) => x.id);
      expect(all).toEqual(expect.arrayContaining([created.id, expired.id]));

      expect((await call(`/v1/silences/${created.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await call(`/v1/silences/${created.id}`, { method: 'DELETE' })).status).toBe(404);
    });

    it('when until is in the past, then 400 names it; when the app does not exist, then 404', async () => {
      const app = await h.createApp();
      const past = await call('/v1/silences', { json: { app, until: Date.now() - 1, reason: 'x' } });
      expect(past.status).toBe(400);
      expect((await read<ErrorBody>(past)).error.details[0]!.field).toBe('until');
      expect((await call('/v1/silences', { json: { app: 'app_nope', until: Date.now() + 60_000, reason: 'x' } })).status).toBe(404);
    });
  });

  describe('acknowledge link', () => {
    const ackPath = (url: string) => url.replace('http://vigil.test', '');
    const linkOf = async () => {
      const incident = await h.open(await h.createApp());
      const path = ackPath(h.alerting.ackLinks.url(incident.id));
      return { incident, path, token: new URL(path, base).searchParams.get('token')! };
    };
    const formPath = (path: string) => path.split('?')[0]!;

    it('when the link is fetched (GET or HEAD, as previews and link checkers do), then nothing is acknowledged', async () => {
      const { incident, path } = await linkOf();
      const head = await call(path, { method: 'HEAD', token: null });
      expect(head.status).toBe(200);
      const get = await call(path, { token: null });
      expect(get.status).toBe(200);
      expect(await read<AckBody>(get)).toMatchObject({ result: 'confirm', incident: { id: incident.id, status: 'open' } });
      await call(path, { token: null, accept: 'text/html' });
      const after = await h.incident(incident.id);
      expect(after.status).toBe('open');
      expect(after.timeline.filter((e) => e.type === 'acknowledged')).toHaveLength(0);
    });

    it('when opened in a browser, then a one-button page asks, loads nothing, and posts the token in the body to the path without it', async () => {
      const { path, token } = await linkOf();
      const res = await call(path, { token: null, accept: 'text/html,*/*;q=0.8' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html.match(/<button/g)).toHaveLength(1);
      expect(html).toContain('>Acknowledge</button>');
      expect(html).toContain(`<form method="post" action="ack"><input type="hidden" name="token" value="${token}">`);
      // Nothing to load, nothing to run; the one inline style is allowed by its hash and the form only posts back here.
      expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|url\(/i);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).not.toContain('unsafe-inline');
      const style = /<style>(.*?)<\/style>/s.exec(html)![1]!;
      expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
      // The action resolves against the page's URL to the same path, without the query string.
      expect(new URL('ack', `${base}${path}`).href).toBe(`${base}${formPath(path)}`);
    });

    it('when the form is posted, then it acknowledges without the admin token, once; posting again says so and writes nothing', async () => {
      const { incident, path, token } = await linkOf();
      const first = await call(formPath(path), { form: { token }, token: null });
      expect(first.status).toBe(200);
      expect(first.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await read<AckBody>(first)).toMatchObject({ result: 'acknowledged', incident: { id: incident.id, status: 'acknowledged' } });
      const second = await call(formPath(path), { form: { token }, token: null, accept: 'text/html' });
      expect(second.status).toBe(200);
      expect(await second.text()).toContain('Already acknowledged');
      const acks = (await h.incident(incident.id)).timeline.filter((e) => e.type === 'acknowledged');
      expect(acks).toHaveLength(1);
      expect(acks[0]!.by).toBe('on-call (page link)');
      // Once acknowledged, the link's page has no button left.
      expect(await (await call(path, { token: null, accept: 'text/html' })).text()).not.toContain('<form');
    });

    it('when a JSON POST carries the admin token, then it is still the operator API', async () => {
      const { incident, path } = await linkOf();
      const res = await call(formPath(path), { json: { by: 'alice' } });
      expect(res.status).toBe(200);
      expect((await h.incident(incident.id)).timeline.find((e) => e.type === 'acknowledged')!.by).toBe('alice');
      expect((await call(formPath(path), { json: { by: 'mallory' }, token: null })).status).toBe(401);
    });

    it('when on-call opens the link in Chromium and presses Acknowledge, then the page keeps to its CSP and the incident is acknowledged', async () => {
      const { incident, path } = await linkOf();
      const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage();
        const complaints: string[] = [];
        page.on('console', (m) => void (m.type() === 'error' && complaints.push(m.text())));
        page.on('pageerror', (e) => complaints.push(e.message));
        const posts: string[] = [];
        page.on('request', (r) => void (r.method() === 'POST' && posts.push(`${r.url()} ${r.postData() ?? ''}`)));
        await page.goto(`${base}${path}`);
        expect(await page.getByRole('heading').textContent()).toBe('Acknowledge this incident? Escalations stop and the channels are told.');
        // The inline style applied: a CSP that refused it would leave the body at the browser's default margin.
        expect(await page.evaluate('getComputedStyle(document.body).maxWidth')).toBe('576px');
        expect((await h.incident(incident.id)).status).toBe('open');

        await Promise.all([page.waitForURL(`${base}${formPath(path)}`), page.getByRole('button', { name: 'Acknowledge' }).click()]);
        expect(await page.getByRole('heading').textContent()).toBe('Acknowledged. Escalations are stopped.');
        expect((await h.incident(incident.id)).status).toBe('acknowledged');
        // The token went in the body, to the path without a query string.
        expect(posts).toEqual([`${base}${formPath(path)} token=${encodeURIComponent(new URL(path, base).searchParams.get('token')!)}`]);
        expect(complaints).toEqual([]);
      } finally {
        await browser.close();
      }
    });

    it('when the token is tampered with, missing, or issued for another incident, then 403 and nothing changes', async () => {
      const app = await h.createApp();
      const target = await h.open(app, 'error_rate:a');
      const other = await h.open(app, 'error_rate:b');
      const token = new URL(h.alerting.ackLinks.url(target.id)).searchParams.get('token')!;
      const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
      for (const path of [
        `/v1/incidents/${target.id}/ack?token=${tampered}`,
        `/v1/incidents/${target.id}/ack`,
        `/v1/incidents/${other.id}/ack?token=${token}`,
      ]) {
        const res = await call(path, { token: null });
        expect(res.status).toBe(403);
        expect((await read<ErrorBody>(res)).error.code).toBe('forbidden');
      }
      for (const [id, form] of [
        [target.id, { token: tampered }],
        [other.id, { token }],
      ] as const) {
        const res = await call(`/v1/incidents/${id}/ack`, { form, token: null });
        expect(res.status).toBe(403);
      }
      const missing = await call(`/v1/incidents/${target.id}/ack`, { form: { nothing: 'here' }, token: null });
      expect(missing.status).toBe(400);
      expect((await read<ErrorBody>(missing)).error.details[0]!.field).toBe('token');
      expect((await h.incident(target.id)).status).toBe('open');
      expect((await h.incident(other.id)).status).toBe('open');
    });
  });
});
