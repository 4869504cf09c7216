import { Writable } from 'node:stream';
import type { LookupAddress } from 'node:dns';
import { post, type ResolveAll } from '../../src/alerts/post';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { alertsHarness, startReceiver, waitFor, type AlertsHarness, type Receiver } from '../support/alerts-harness';
import { startTestService } from '../support/service';

// Deliveries, retries and workers on a shared, sometimes overloaded machine: deadlines are for hangs, not for speed.
jest.setTimeout(90_000);

/** A DNS server under the attacker's control: names that lead back inside, one of them mixed with a public answer. */
const ANSWERS: Record<string, LookupAddress[]> = {
  'inside.test': [{ address: '127.0.0.1', family: 4 }],
  'rebind.test': [
    { address: '93.184.216.34', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ],
  'metadata.test': [{ address: '::ffff:169.254.169.254', family: 6 }],
};
const resolve: ResolveAll = (hostname, _options, callback) => {
  const answer = ANSWERS[hostname];
  if (answer) callback(null, answer);
  else callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
};

const REQUEST = { headers: { 'content-type': 'application/json' }, body: '{"event":"incident.opened","dedupKey":"k","incident":{"id":"i"}}' };

describe('SSRF: where channels may deliver', () => {
  let r: Receiver;
  const port = () => new URL(r.url).port;

  beforeAll(async () => {
    r = await startReceiver();
  });
  afterAll(() => r.close());

  describe('one POST', () => {
    it('when private targets are allowed, then a name is connected to the address DNS gave', async () => {
      expect(await post({ ...REQUEST, url: `http://inside.test:${port()}/hooks/vigil` }, { timeoutMs: 5000, allowPrivate: true, resolve })).toEqual({
        kind: 'answered',
        status: 200,
        retryAfter: null,
      });
      expect(r.received).toHaveLength(1);
      expect(r.received[0]!.headers.host).toBe(`inside.test:${port()}`);
    });

    it.each([
      ['inside.test', 'inside.test resolves to the loopback address 127.0.0.1'],
      ['rebind.test', 'rebind.test resolves to the loopback address 127.0.0.1'],
      ['metadata.test', 'metadata.test resolves to the link-local address 169.254.169.254'],
    ])('when %s resolves inside and private targets are not allowed, then nothing is sent', async (host, reason) => {
      const before = r.received.length;
      expect(await post({ ...REQUEST, url: `http://${host}:${port()}/hooks/vigil` }, { timeoutMs: 5000, allowPrivate: false, resolve })).toEqual({
        kind: 'blocked',
        reason,
      });
      expect(r.received).toHaveLength(before);
    });

    it('when the URL is an address inside in any spelling, then nothing is sent; credentials are refused even with private targets allowed', async () => {
      const before = r.received.length;
      for (const url of [`http://127.0.0.1:${port()}/`, `http://2130706433:${port()}/`, `http://[::ffff:127.0.0.1]:${port()}/`]) {
        expect((await post({ ...REQUEST, url }, { timeoutMs: 5000, allowPrivate: false, resolve })).kind).toBe('blocked');
      }
      expect(await post({ ...REQUEST, url: `http://user:pass@127.0.0.1:${port()}/` }, { timeoutMs: 5000, allowPrivate: true })).toEqual({
        kind: 'blocked',
        reason: 'the channel URL must not carry credentials (user:password@); use the channel secret instead',
      });
      expect(r.received).toHaveLength(before);
    });
  });

  describe('the delivery pipeline with ALERT_ALLOW_PRIVATE_TARGETS off', () => {
    let h: AlertsHarness;
    const log: string[] = [];

    beforeAll(async () => {
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          log.push(chunk.toString());
          done();
        },
      });
      h = await alertsHarness('alerts-ssrf', { allowPrivateTargets: false, resolve, logger: createLogger('debug', sink) });
      h.startWorkers();
    });
    afterAll(() => h.close());

    it('when channels stored earlier point inside (by name after DNS, by address, with credentials), then each is refused once, not retried, and no URL secret reaches the timeline or the log', async () => {
      const app = await h.createApp();
      const urls = [
        `http://inside.test:${port()}/hooks/vigil`,
        `http://rebind.test:${port()}/hooks/vigil`,
        `http://127.0.0.1:${port()}/hooks/vigil`,
        `http://vigil:hunter2-pass@hooks.example.com/hooks/vigil`,
      ];
      // Straight into the store, as channels created before the rule (or under the override) would be.
      const channels = await Promise.all(urls.map((url) => h.createChannel({ url, apps: [app] })));
      const before = r.received.length;
      const incident = await h.open(app);

      const jobs = channels.map((c) => `deliver-${c.id}-${incident.id}-opened-1`);
      await waitFor(async () => {
        const states = await Promise.all(jobs.map(async (id) => (await h.queues.notify.getJob(id))?.getState()));
        return states.every((s) => s === 'failed');
      }, 'every delivery to be refused');
      for (const id of jobs) expect((await h.queues.notify.getJob(id))!.attemptsMade).toBe(1);
      expect(r.received).toHaveLength(before);

      const notes = (await h.incident(incident.id)).timeline.filter((e) => e.type === 'note').map((e) => e.message);
      expect(notes.sort()).toEqual(
        [
          `incident.opened to webhook http://inside.test:${port()}/… refused by Vigil: inside.test resolves to the loopback address 127.0.0.1`,
          `incident.opened to webhook http://rebind.test:${port()}/… refused by Vigil: rebind.test resolves to the loopback address 127.0.0.1`,
          `incident.opened to webhook http://127.0.0.1:${port()}/… refused by Vigil: the channel URL points at the loopback address 127.0.0.1; set ALERT_ALLOW_PRIVATE_TARGETS=true to allow it`,
          'incident.opened to webhook http://hooks.example.com/… refused by Vigil: the channel URL must not carry credentials (user:password@); use the channel secret instead',
        ].sort(),
      );
      expect(log.length).toBeGreaterThan(0);
      expect(log.join('')).not.toContain('hunter2');
    });
  });

  it('when the service runs with the default setting, then a channel pointing inside is refused at creation with 400 naming url', async () => {
    expect(loadConfig({}).alertAllowPrivateTargets).toBe(false);
    const service = await startTestService('alerts-ssrf-api', { env: { ALERT_ALLOW_PRIVATE_TARGETS: 'false' }, mode: 'api' });
    try {
      const res = await service.api('/v1/channels', { method: 'POST', json: { type: 'webhook', url: r.url } });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { details: Array<{ field: string; message: string }> } };
      expect(body.error.details).toEqual([{ field: 'url', message: expect.stringContaining('loopback address 127.0.0.1') }]);
    } finally {
      await service.cleanup();
    }
  });
});
