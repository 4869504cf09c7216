import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { alertsHarness, receiverPool, waitFor, sleep, type AlertsHarness } from '../support/alerts-harness';

// Deliveries, retries and workers on a shared, sometimes overloaded machine: deadlines are for hangs, not for speed.
jest.setTimeout(90_000);

const SECRET = 'webhook-secret-0123';

type Verify = (rawBody: string | Buffer, header: string | undefined, secret: string, nowMs?: number) => boolean;

/** The verification snippet of docs/alerting.md, run as written: if the docs drift from the signer, this fails. */
function documentedVerifier(): Verify {
  const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'alerting.md'), 'utf8');
  const snippet = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.includes('function verifyVigilSignature'));
  if (!snippet) throw new Error('docs/alerting.md has no verifyVigilSignature snippet');
  return runInNewContext(`${snippet}\nverifyVigilSignature`, { require, Buffer }) as Verify;
}

describe('alert delivery (real Redis, BullMQ workers, embedded store, HTTP receiver)', () => {
  let h: AlertsHarness;
  const receivers = receiverPool();
  const receiver = receivers.start;

  beforeAll(async () => {
    h = await alertsHarness('alerts-delivery');
    h.startWorkers();
  });
  afterAll(async () => {
    await h.close();
    await receivers.closeAll();
  });

  const timelineOf = async (id: string, type: string) => (await h.incident(id)).timeline.filter((e) => e.type === type);

  it('when the channel fails with 500s, then asks to wait with 429 Retry-After, then accepts: one logical notification, one dedupKey, signed', async () => {
    const script = [{ status: 500 }, { status: 500 }, { status: 429, headers: { 'retry-after': '1' } }, { status: 200 }] as const;
    const r = await receiver((_req, i) => script[Math.min(i, script.length - 1)]!);
    const app = await h.createApp();
    await h.createChannel({ url: r.url, secret: SECRET, apps: [app] });
    // Told twice (as after a crash of the incident service): still one notification.
    const incident = await h.open(app);
    await h.alerting.listener('opened', incident);

    await waitFor(() => r.received.length >= 4, 'the fourth attempt');
    await sleep(500);
    expect(r.received).toHaveLength(4);
    expect(new Set(r.received.map((x) => x.json.dedupKey))).toEqual(new Set([`${incident.id}-opened-1`]));
    expect(r.received.every((x) => x.json.event === 'incident.opened')).toBe(true);
    for (const x of r.received) {
      expect(x.headers['x-vigil-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(x.body).digest('hex')}`);
      expect(x.body).not.toContain(SECRET);
    }
    // The wait after the 429 is the receiver's, not the backoff's.
    expect(r.received[3]!.at - r.received[2]!.at).toBeGreaterThanOrEqual(900);
    expect(r.received[3]!.json.ackUrl).toMatch(new RegExp(`^http://vigil.test/v1/incidents/${incident.id}/ack\\?token=`));

    await waitFor(async () => (await timelineOf(incident.id, 'alerted')).length > 0, 'the alerted entry');
    const alerted = await timelineOf(incident.id, 'alerted');
    expect(alerted.map((e) => e.message)).toEqual(['incident.opened sent to webhook http://127.0.0.1:' + new URL(r.url).port + '/…']);
    const sent = await h.metrics.registry.getSingleMetricAsString('vigil_notifications_total');
    expect(sent).toContain('vigil_notifications_total{channel_type="webhook",result="sent"} 1');
    expect(sent).toContain('vigil_notifications_total{channel_type="webhook",result="retry"} 3');
  });

  it('when a secret is set, then the timestamped signature verifies with the documented snippet, and a replay after 5 minutes or a changed body does not', async () => {
    const r = await receiver(() => ({ status: 200 }));
    const app = await h.createApp();
    await h.createChannel({ url: r.url, secret: SECRET, apps: [app] });
    await h.open(app);
    await waitFor(() => r.received.length === 1, 'the page');

    const verify = documentedVerifier();
    const [page] = r.received;
    const header = page!.headers['vigil-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(Math.abs(Number(/^t=(\d+)/.exec(header)![1]) * 1000 - page!.at)).toBeLessThan(5000);
    expect(verify(page!.body, header, SECRET, page!.at)).toBe(true);
    expect(verify(Buffer.from(page!.body), header, SECRET, page!.at)).toBe(true);
    expect(verify(page!.body, header, SECRET, page!.at + 5 * 60_000 + 2000)).toBe(false);
    expect(verify(page!.body.replace('"incident.opened"', '"incident.resolved"'), header, SECRET, page!.at)).toBe(false);
    expect(verify(page!.body, header, 'another-secret', page!.at)).toBe(false);
    expect(verify(page!.body, undefined, SECRET, page!.at)).toBe(false);
    // The old header still comes, unchanged, for one more release.
    expect(page!.headers['x-vigil-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(page!.body).digest('hex')}`);
  });

  it('when the channel answers 400, then it is not retried and the timeline says the channel refused it with the status, never the body', async () => {
    // A receiver's body is whatever it likes (an internal service's error page, a secret it echoes back): not ours to store.
    const r = await receiver(() => ({ status: 400, body: 'unknown field "dedupKey"; internal-token=abc123' }));
    const app = await h.createApp();
    await h.createChannel({ url: r.url, apps: [app] });
    const incident = await h.open(app);

    await waitFor(async () => (await timelineOf(incident.id, 'note')).length > 0, 'the refusal entry');
    await sleep(1500);
    expect(r.received).toHaveLength(1);
    const notes = (await timelineOf(incident.id, 'note')).map((e) => e.message);
    expect(notes).toEqual([expect.stringMatching(/^incident\.opened to webhook http:\/\/127\.0\.0\.1:\d+\/… refused by the channel: HTTP 400$/)]);
    expect(await timelineOf(incident.id, 'alerted')).toHaveLength(0);
    const job = await h.queues.notify.getJob(`deliver-${(await h.stores.channels.list()).find((c) => c.url === r.url)!.id}-${incident.id}-opened-1`);
    expect(await job!.getState()).toBe('failed');
  });

  it('when the last attempt fails, then the failure is recorded in the timeline once', async () => {
    const r = await receiver(() => ({ status: 503 }));
    const [app, elsewhere] = [await h.createApp(), await h.createApp()];
    // Routed elsewhere so the notifier leaves it alone: the test queues the job itself, with a short retry budget
    // instead of the queue's 12 attempts.
    const channel = await h.createChannel({ url: r.url, apps: [elsewhere] });
    const incident = await h.open(app);
    await h.queues.notify.add(
      'deliver',
      { incidentId: incident.id, channelId: channel.id, event: 'incident.opened', dedupKey: `${incident.id}-opened-x`, occurrence: 1, occurredAt: Date.now() },
      { jobId: `deliver-${channel.id}-${incident.id}-opened-x`, attempts: 2, backoff: { type: 'fixed', delay: 100 } },
    );
    await waitFor(async () => (await timelineOf(incident.id, 'note')).some((e) => e.message.includes('not delivered after 2 attempts')), 'the gave-up entry');
    await sleep(300);
    expect(r.received).toHaveLength(2);
    expect((await timelineOf(incident.id, 'note')).map((e) => e.message)).toEqual([
      expect.stringMatching(/^incident\.opened to webhook .* not delivered after 2 attempts: HTTP 503$/),
    ]);
  });
});
