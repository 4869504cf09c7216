import { alertsHarness, receiverPool, finding, waitFor, type AlertsHarness, type Received } from '../support/alerts-harness';

// Deliveries, retries and workers on a shared, sometimes overloaded machine: deadlines are for hangs, not for speed.
jest.setTimeout(90_000);

/** What a PagerDuty-type channel POSTs (Events API v2). */
const pd = (r: Received) => JSON.parse(r.body) as { event_action: 'trigger' | 'acknowledge' | 'resolve'; dedup_key: string };
const ROUTING_KEY = 'e93facc04764012d7bfb002500d5d1a6';

describe('notification order per incident and channel (real Redis, BullMQ workers, embedded store, HTTP receiver)', () => {
  let h: AlertsHarness;
  const receivers = receiverPool();
  const receiver = receivers.start;

  beforeAll(async () => {
    h = await alertsHarness('alerts-order');
    h.startWorkers();
  });
  afterAll(async () => {
    await h.close();
    await receivers.closeAll();
  });

  const notes = async (id: string) => (await h.incident(id)).timeline.filter((e) => e.type === 'note').map((e) => e.message);
  const finished = (jobId: string) => async () => {
    const state = await (await h.queues.notify.getJob(jobId))?.getState();
    return state === 'completed' || state === 'failed';
  };

  it('when a PagerDuty trigger is retried after 503s until the acknowledge and resolve were delivered, then it is skipped, never re-opening the alert, and the timeline says so', async () => {
    let resolved = false;
    // PagerDuty is in trouble for triggers until it has seen the resolve: each retry of the trigger comes back later.
    const r = await receiver((req) => {
      const { event_action } = pd(req);
      if (event_action === 'resolve') resolved = true;
      return event_action === 'trigger' && !resolved ? { status: 503, headers: { 'retry-after': '1' } } : { status: 202 };
    });
    const app = await h.createApp();
    const channel = await h.createChannel({ type: 'pagerduty', url: r.url, routingKey: ROUTING_KEY, apps: [app] });
    const incident = await h.open(app);
    await waitFor(() => r.received.length >= 1, 'the first trigger attempt');
    await h.service.acknowledge(incident.id, 'alice');
    await h.service.resolve(incident.id, 'alice');

    const trigger = `deliver-${channel.id}-${incident.id}-opened-1`;
    await waitFor(finished(trigger), 'the trigger job to finish', 60_000);
    const actions = r.received.map((x) => pd(x).event_action);
    expect(actions).toContain('resolve');
    // PagerDuty's last word on this alert is the resolve.
    expect(actions.slice(actions.indexOf('resolve'))).toEqual(['resolve']);
    expect((await h.queues.notify.getJob(trigger))!.returnvalue).toMatch(/^stale: incident\.(acknowledged|resolved) of occurrence 1 already delivered$/);
    expect(await notes(incident.id)).toEqual([
      expect.stringMatching(/^incident\.opened to pagerduty http:\/\/127\.0\.0\.1:\d+\/… skipped: incident\.(acknowledged|resolved) of occurrence 1 was already delivered there$/),
    ]);
    const alerted = (await h.incident(incident.id)).timeline.filter((e) => e.type === 'alerted').map((e) => e.message);
    expect(alerted.some((m) => m.startsWith('incident.opened'))).toBe(false);
    expect(await h.metrics.registry.getSingleMetricAsString('vigil_notifications_total')).toContain('vigil_notifications_total{channel_type="pagerduty",result="stale"} 1');
  });

  it('when the resolve is dispatched while the trigger is still being answered, then it waits its turn and arrives after the trigger was answered', async () => {
    const SLOW_MS = 1500;
    const r = await receiver((req) => (pd(req).event_action === 'trigger' ? { status: 202, delayMs: SLOW_MS } : { status: 202 }));
    const app = await h.createApp();
    await h.createChannel({ type: 'pagerduty', url: r.url, routingKey: ROUTING_KEY, apps: [app] });
    const incident = await h.open(app);
    await waitFor(() => r.received.length === 1, 'the trigger to arrive');
    await h.service.resolve(incident.id, 'alice');

    await waitFor(() => r.received.length === 2, 'the resolve to arrive');
    const [trigger, resolve] = r.received as [Received, Received];
    expect([pd(trigger).event_action, pd(resolve).event_action]).toEqual(['trigger', 'resolve']);
    // Timers never fire early; a millisecond of rounding either side is all the slack needed.
    expect(resolve.at - trigger.at).toBeGreaterThanOrEqual(SLOW_MS - 2);
  });

  it('when a resolved incident reopens, then the new occurrence triggers again after the old resolve', async () => {
    const r = await receiver(() => ({ status: 202 }));
    const app = await h.createApp();
    await h.createChannel({ type: 'pagerduty', url: r.url, routingKey: ROUTING_KEY, apps: [app] });
    const incident = await h.open(app);
    await waitFor(() => r.received.length === 1, 'the first trigger');
    await h.service.resolve(incident.id, 'alice');
    await waitFor(() => r.received.length === 2, 'the resolve');
    await h.service.applySignals(app, [{ type: 'reopen', at: Date.now(), finding: finding() }], Date.now());

    await waitFor(() => r.received.length === 3, 'the trigger of the reopened incident');
    expect(r.received.map((x) => pd(x).event_action)).toEqual(['trigger', 'resolve', 'trigger']);
    expect(await notes(incident.id)).toEqual([]);
    await h.service.acknowledge(incident.id, 'bob');
  });

  it('when a delivered trigger runs again after a newer state was delivered (a stalled or crashed job), then it is known as sent, not as stale', async () => {
    const r = await receiver(() => ({ status: 202 }));
    const [app, elsewhere] = [await h.createApp(), await h.createApp()];
    // Routed elsewhere so the notifier queues nothing: the test plays the jobs itself, straight through the deliverer.
    const channel = await h.createChannel({ type: 'pagerduty', url: r.url, routingKey: ROUTING_KEY, apps: [elsewhere] });
    const incident = await h.open(app);
    const job = (event: 'incident.opened' | 'incident.resolved') => ({
      job: { incidentId: incident.id, channelId: channel.id, event, dedupKey: `${incident.id}-${event.slice(9)}-1`, occurrence: 1, occurredAt: Date.now() },
      attempt: 1,
      maxAttempts: 12,
      starts: 1,
    });

    expect(await h.alerting.deliverer.deliver(job('incident.opened'))).toEqual({ kind: 'sent' });
    expect(await h.alerting.deliverer.deliver(job('incident.resolved'))).toEqual({ kind: 'sent' });
    expect(await h.alerting.deliverer.deliver(job('incident.opened'))).toEqual({ kind: 'skip', reason: 'already delivered' });
    expect(r.received.map((x) => pd(x).event_action)).toEqual(['trigger', 'resolve']);
    expect(await notes(incident.id)).toEqual([]);
  });

  it('when an escalation is still being retried after the acknowledgement was delivered, then it is skipped', async () => {
    const r = await receiver(() => ({ status: 200 }));
    const app = await h.createApp();
    const channel = await h.createChannel({ url: r.url, apps: [app] });
    const incident = await h.open(app);
    await h.service.acknowledge(incident.id, 'alice');
    await waitFor(() => r.of(incident.id, 'incident.acknowledged').length === 1, 'the acknowledgement');
    // The escalation that fired just before the acknowledgement, its delivery retried until now.
    const dedupKey = `${incident.id}-escalated-1-L1`;
    const jobId = `deliver-${channel.id}-${dedupKey}`;
    await h.queues.notify.add(
      'deliver',
      { incidentId: incident.id, channelId: channel.id, event: 'incident.escalated', level: 1, dedupKey, occurrence: 1, occurredAt: Date.now() },
      { jobId },
    );

    await waitFor(finished(jobId), 'the escalation job to finish');
    expect(r.of(incident.id, 'incident.escalated')).toHaveLength(0);
    expect(await notes(incident.id)).toEqual([
      expect.stringMatching(/^incident\.escalated \(level 1\) to webhook .* skipped: incident\.acknowledged of occurrence 1 was already delivered there$/),
    ]);
  });
});
