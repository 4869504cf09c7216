import { MAX_ESCALATION_LEVEL } from '../../src/alerts/escalation';
import { alertsHarness, finding, sleep, startReceiver, waitFor, type AlertsHarness, type Receiver } from '../support/alerts-harness';

// Deliveries, retries and workers on a shared, sometimes overloaded machine: deadlines are for hangs, not for speed.
jest.setTimeout(90_000);

/** 0.02 min = 1.2 s between levels. */
const ESCALATE_AFTER_MINUTES = 0.02;

describe('escalation, acknowledgement, resolution and silences (real Redis, BullMQ workers, embedded store)', () => {
  let h: AlertsHarness;
  let r: Receiver;

  beforeAll(async () => {
    h = await alertsHarness('alerts-escalation');
    h.startWorkers();
    r = await startReceiver();
  });
  afterAll(async () => {
    await h.close();
    await r.close();
  });

  const appWithChannel = async () => {
    const app = await h.createApp();
    await h.createChannel({ url: r.url, apps: [app], escalateAfterMinutes: ESCALATE_AFTER_MINUTES });
    return app;
  };
  const entries = async (id: string, type: string) => (await h.incident(id)).timeline.filter((e) => e.type === type);

  it('when nobody acknowledges, then the page repeats once per level up to the limit, each level its own dedupKey', async () => {
    const incident = await h.open(await appWithChannel());
    await waitFor(() => r.of(incident.id, 'incident.escalated').length >= MAX_ESCALATION_LEVEL, 'every escalation level', 60_000);
    await sleep(2000);
    const escalated = r.of(incident.id, 'incident.escalated');
    expect(escalated.map((x) => x.json.level)).toEqual([1, 2, 3]);
    expect(escalated.map((x) => x.json.dedupKey)).toEqual([1, 2, 3].map((l) => `${incident.id}-escalated-1-L${l}`));
    expect(r.of(incident.id, 'incident.opened')).toHaveLength(1);
    const timeline = await entries(incident.id, 'escalated');
    expect(timeline.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Not acknowledged after 1 s: escalation level 1 paged webhook http:\/\/127\.0\.0\.1:\d+\/…$/),
      expect.stringMatching(/after 2 s: escalation level 2/),
      expect.stringMatching(/after 4 s: escalation level 3/),
    ]);
  });

  it('when acknowledged before the escalation is due, then it never fires and the acknowledgement is sent; resolve sends incident.resolved', async () => {
    const incident = await h.open(await appWithChannel());
    await waitFor(() => r.of(incident.id, 'incident.opened').length === 1, 'the opening page');
    await h.service.acknowledge(incident.id, 'alice');
    await waitFor(() => r.of(incident.id, 'incident.acknowledged').length === 1, 'the acknowledgement');
    await sleep(ESCALATE_AFTER_MINUTES * 60_000 + 1000);
    expect(r.of(incident.id, 'incident.escalated')).toHaveLength(0);
    expect(await entries(incident.id, 'escalated')).toHaveLength(0);

    await h.service.resolve(incident.id, 'alice', 'rolled back 5.2.0');
    await waitFor(() => r.of(incident.id, 'incident.resolved').length === 1, 'the resolution');
    const [resolved] = r.of(incident.id, 'incident.resolved');
    expect(resolved!.json).toMatchObject({ dedupKey: `${incident.id}-resolved-1`, incident: { status: 'resolved' } });
    expect(r.of(incident.id, 'incident.acknowledged')[0]!.json.dedupKey).toBe(`${incident.id}-acknowledged-1`);
  });

  it('when the incident resolves and relapses, then the reopened occurrence is paged under a new dedupKey', async () => {
    const app = await appWithChannel();
    const incident = await h.open(app);
    // Delivered before the resolve: a first page still undelivered when the reopen's page lands is stale, and skipped.
    await waitFor(() => r.of(incident.id, 'incident.opened').length === 1, 'the first opening page');
    await h.service.resolve(incident.id, 'alice');
    await h.service.applySignals(app, [{ type: 'reopen', at: Date.now(), finding: finding() }], Date.now());
    await waitFor(() => r.of(incident.id, 'incident.opened').length === 2, 'the second opening page');
    expect(r.of(incident.id, 'incident.opened').map((x) => x.json.dedupKey)).toEqual([`${incident.id}-opened-1`, `${incident.id}-opened-2`]);
    await h.service.acknowledge(incident.id, 'bob');
  });

  it('when a silence covers the app, then nothing is sent and the timeline says so once, even when the event is told again', async () => {
    const app = await appWithChannel();
    const silence = await h.stores.silences.create({ app, kind: null, until: Date.now() + 3600_000, reason: 'planned maintenance', createdAt: Date.now() });
    const incident = await h.open(app);
    await h.alerting.listener('opened', await h.incident(incident.id));
    await sleep(ESCALATE_AFTER_MINUTES * 60_000 + 1500);
    expect(r.received.filter((x) => x.json.incident.id === incident.id)).toHaveLength(0);
    const notes = (await entries(incident.id, 'note')).map((e) => e.message);
    expect(notes.filter((m) => m.startsWith('incident.opened'))).toEqual([
      `incident.opened notification to webhook held back by silence ${silence.id} (planned maintenance)`,
    ]);
    // Escalations were held back too, each level said once.
    const escalations = notes.filter((m) => m.startsWith('incident.escalated'));
    expect(escalations.length).toBeGreaterThanOrEqual(1);
    expect(escalations[0]).toMatch(/^incident\.escalated \(level 1\) notification to webhook held back by silence/);
    expect(new Set(escalations).size).toBe(escalations.length);
    expect(await entries(incident.id, 'alerted')).toHaveLength(0);
    await h.service.acknowledge(incident.id, 'carol');
  });

  it('when the silence has expired, then notifications flow again', async () => {
    const app = await appWithChannel();
    await h.stores.silences.create({ app, kind: null, until: Date.now() - 1, reason: 'over', createdAt: Date.now() - 60_000 });
    const incident = await h.open(app);
    await waitFor(() => r.of(incident.id, 'incident.opened').length === 1, 'the opening page');
    await h.service.acknowledge(incident.id, 'dave');
  });
});
