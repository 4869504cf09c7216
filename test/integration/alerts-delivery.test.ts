import { createHmac } from 'node:crypto';
import { alertsHarness, startReceiver, waitFor, sleep, type AlertsHarness, type Receiver } from '../support/alerts-harness';

const SECRET = 'webhook-secret-0123';

describe('alert delivery (real Redis, BullMQ workers, embedded store, HTTP receiver)', () => {
  let h: AlertsHarness;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    h = await alertsHarness('alerts-delivery');
    h.startWorkers();
  });
  afterAll(async () => {
    await h.close();
    await Promise.all(receivers.map((r) => r.close()));
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

  it('when the channel answers 400, then it is not retried and the timeline says the channel refused it and why', async () => {
    const r = await receiver(() => ({ status: 400, body: 'unknown field "dedupKey"' }));
    const app = await h.createApp();
    await h.createChannel({ url: r.url, apps: [app] });
    const incident = await h.open(app);

    await waitFor(async () => (await timelineOf(incident.id, 'note')).length > 0, 'the refusal entry');
    await sleep(1500);
    expect(r.received).toHaveLength(1);
    const notes = (await timelineOf(incident.id, 'note')).map((e) => e.message);
    expect(notes).toEqual([expect.stringMatching(/^incident\.opened to webhook .* refused by the channel: HTTP 400: unknown field "dedupKey"$/)]);
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
      { incidentId: incident.id, channelId: channel.id, event: 'incident.opened', dedupKey: `${incident.id}-opened-x`, occurredAt: Date.now() },
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
