import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { KeyResolver } from '../../src/apps/key-resolver';
import { AppService } from '../../src/apps/service';
import { systemClock } from '../../src/clock';
import { createHttpApp } from '../../src/http/app';
import { createAuth } from '../../src/http/auth';
import { ackLinkRouter } from '../../src/http/routes/ack-link';
import { channelsRouter } from '../../src/http/routes/channels';
import { silencesRouter } from '../../src/http/routes/silences';
import { createLogger } from '../../src/logger';
import { ADMIN_TOKEN, alertsHarness, type AlertsHarness } from '../support/alerts-harness';

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
        channelsRouter({ auth, channels: h.stores.channels, apps, clock: systemClock }),
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

  const call = (path: string, init: { method?: string; json?: unknown; token?: string | null; accept?: string } = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? ADMIN_TOKEN}` }),
        ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.accept ? { accept: init.accept } : {}),
      },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
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
    ])('when the body is %j, then 400 names %s', async (json, field) => {
      const res = await call('/v1/channels', { json });
      expect(res.status).toBe(400);
      const body = await read<ErrorBody>(res);
      expect(body.error.details.map((d) => d.field)).toContain(field);
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

    it('when used, then it acknowledges without the admin token, once; the second use says so and writes nothing', async () => {
      const incident = await h.open(await h.createApp());
      const path = ackPath(h.alerting.ackLinks.url(incident.id));
      const first = await call(path, { token: null });
      expect(first.status).toBe(200);
      expect(await read<AckBody>(first)).toMatchObject({ result: 'acknowledged', incident: { id: incident.id, status: 'acknowledged' } });
      const second = await call(path, { token: null });
      expect(second.status).toBe(200);
      expect((await read<AckBody>(second)).result).toBe('already_acknowledged');
      const acks = (await h.incident(incident.id)).timeline.filter((e) => e.type === 'acknowledged');
      expect(acks).toHaveLength(1);
      expect(acks[0]!.by).toBe('on-call (page link)');
    });

    it('when opened in a browser, then it answers a small HTML page', async () => {
      const incident = await h.open(await h.createApp());
      const res = await call(ackPath(h.alerting.ackLinks.url(incident.id)), { token: null, accept: 'text/html,*/*;q=0.8' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('Acknowledged.');
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
      expect((await h.incident(target.id)).status).toBe('open');
      expect((await h.incident(other.id)).status).toBe('open');
    });
  });
});
