import { VigilError } from '../../src/errors';
import { incidentHarness, MIN, signal, T0, uniqueApp, type IncidentHarness } from './incident-fixtures';

describe('the incident service on the embedded store', () => {
  let h: IncidentHarness;

  beforeAll(async () => {
    h = await incidentHarness('incident-service');
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.told.length = 0;
    h.extraListeners.length = 0;
  });

  const only = async (app: string) => {
    const { incidents } = await h.stores.incidents.list({ app, limit: 10 });
    expect(incidents).toHaveLength(1);
    return incidents[0]!;
  };

  it('when the same open signal is applied twice, then one incident exists and listeners are told twice', async () => {
    const app = uniqueApp();
    await h.service.applySignals(app, [signal('open', T0)], T0);
    await h.service.applySignals(app, [signal('open', T0)], T0);

    const incident = await only(app);
    expect(incident).toMatchObject({ status: 'open', severity: 'major', detectedAt: T0, startedAt: T0 - 5 * MIN });
    expect(incident.timeline.map((e) => e.type)).toEqual(['started', 'detected']);
    expect(h.told).toEqual([
      { event: 'opened', id: incident.id, status: 'open' },
      { event: 'opened', id: incident.id, status: 'open' },
    ]);
  });

  it('when updates only drift, then nothing is written; when severity rises, then it is, with a timeline entry', async () => {
    const app = uniqueApp();
    await h.service.applySignals(app, [signal('open', T0)], T0);
    const opened = await only(app);

    const drift = { impact: { ...opened.impact, failedLogins: 5100 } };
    await h.service.applySignals(app, [signal('update', T0 + 10_000, drift)], T0 + 10_000);
    expect((await only(app)).version).toBe(opened.version);

    await h.service.applySignals(app, [signal('update', T0 + 20_000, { severity: 'critical' })], T0 + 20_000);
    const escalated = await only(app);
    expect(escalated).toMatchObject({ severity: 'critical', version: opened.version + 1 });
    expect(escalated.timeline.at(-1)).toEqual({ at: T0 + 20_000, type: 'detected', message: 'Severity changed from major to critical' });
    expect(h.told.map((t) => t.event)).toEqual(['opened']);
  });

  it('when the detector resolves, then the incident is resolved once and a repeated resolve only tells again', async () => {
    const app = uniqueApp();
    await h.service.applySignals(app, [signal('open', T0)], T0);
    await h.service.applySignals(app, [signal('resolve', T0 + 30 * MIN)], T0 + 30 * MIN);
    await h.service.applySignals(app, [signal('resolve', T0 + 30 * MIN)], T0 + 30 * MIN);

    const incident = await only(app);
    expect(incident).toMatchObject({ status: 'resolved', resolvedAt: T0 + 30 * MIN });
    expect(incident.timeline.filter((e) => e.type === 'resolved')).toEqual([
      { at: T0 + 30 * MIN, type: 'resolved', message: 'Resolved automatically: login metrics back to baseline' },
    ]);
    expect(h.told.map((t) => t.event)).toEqual(['opened', 'resolved', 'resolved']);
  });

  it('when a relapse comes within the window, then the same incident reopens with a relapse entry', async () => {
    const app = uniqueApp();
    await h.service.applySignals(app, [signal('open', T0), signal('resolve', T0 + 10 * MIN)], T0 + 10 * MIN);
    await h.service.applySignals(app, [signal('reopen', T0 + 15 * MIN)], T0 + 15 * MIN);
    await h.service.applySignals(app, [signal('reopen', T0 + 15 * MIN)], T0 + 15 * MIN);

    const incident = await only(app);
    expect(incident).toMatchObject({ status: 'open', resolvedAt: null });
    expect(incident.timeline.at(-1)).toMatchObject({ at: T0 + 15 * MIN, type: 'detected', message: expect.stringMatching(/^Relapse detected/) });
    expect(h.told.map((t) => t.event)).toEqual(['opened', 'resolved', 'reopened', 'reopened']);
  });

  it('when a reopen finds nothing to reopen, then a new incident opens', async () => {
    const app = uniqueApp();
    await h.service.applySignals(app, [signal('reopen', T0)], T0);
    expect(await only(app)).toMatchObject({ status: 'open', detectedAt: T0 });
    expect(h.told.map((t) => t.event)).toEqual(['opened']);
  });

  it('when an operator and the detector resolve at once, then there is one resolved incident with one resolved entry', async () => {
    const app = uniqueApp();
    await h.service.applySignals(app, [signal('open', T0)], T0);
    const { id } = await only(app);

    await Promise.all([
      h.service.resolve(id, 'ana', 'rolled back 5.2.0'),
      h.service.applySignals(app, [signal('resolve', T0 + MIN)], T0 + MIN),
    ]);

    const incident = await only(app);
    expect(incident.status).toBe('resolved');
    expect(incident.timeline.filter((e) => e.type === 'resolved')).toHaveLength(1);
    expect(h.told.filter((t) => t.event === 'resolved')).toHaveLength(2);
  });

  it('when operators acknowledge, note, patch and resolve, then the timeline names them and listeners hear ack and resolve', async () => {
    const app = uniqueApp();
    await h.service.applySignals(app, [signal('open', T0)], T0);
    const { id } = await only(app);

    h.clock.set(T0 + MIN);
    expect(await h.service.acknowledge(id, 'ana')).toMatchObject({ status: 'acknowledged', acknowledgedAt: T0 + MIN });
    await h.service.addNote(id, 'ana', 'looking at 5.2.0');
    await h.service.patch(id, { severity: 'critical', publicMessage: 'Please update to 5.2.1' }, 'ana');
    const resolved = await h.service.resolve(id, 'bo', 'rolled back');

    expect(resolved).toMatchObject({ status: 'resolved', severity: 'critical', publicMessage: 'Please update to 5.2.1' });
    expect(resolved.timeline.slice(2)).toEqual([
      { at: T0 + MIN, type: 'acknowledged', message: 'Acknowledged by ana', by: 'ana' },
      { at: T0 + MIN, type: 'note', message: 'looking at 5.2.0', by: 'ana' },
      { at: T0 + MIN, type: 'note', message: 'Severity changed from major to critical by ana', by: 'ana' },
      { at: T0 + MIN, type: 'note', message: 'ana set the status message for users: "Please update to 5.2.1"', by: 'ana' },
      { at: T0 + MIN, type: 'resolved', message: 'Resolved by bo: rolled back', by: 'bo' },
    ]);
    expect(h.told.map((t) => t.event)).toEqual(['opened', 'acknowledged', 'resolved']);
  });

  it('when an illegal transition is asked, then it is a conflict naming the status; unknown ids are not found', async () => {
    const app = uniqueApp();
    await h.service.applySignals(app, [signal('open', T0), signal('resolve', T0 + MIN)], T0 + MIN);
    const { id } = await only(app);

    await expect(h.service.acknowledge(id, 'ana')).rejects.toMatchObject({ code: 'conflict', details: { status: 'resolved' } });
    await expect(h.service.acknowledge('inc_missing', 'ana')).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.service.addNote('inc_missing', 'ana', 'x')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('when a listener fails, then the change is kept, the caller gets a retryable error, and the retry tells again', async () => {
    const app = uniqueApp();
    await h.service.applySignals(app, [signal('open', T0)], T0);
    const { id } = await only(app);
    h.extraListeners.push(async () => {
      throw new Error('webhook queue down');
    });

    const failed = await h.service.acknowledge(id, 'ana').catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(VigilError);
    expect(failed).toMatchObject({ code: 'unavailable', retryable: true });
    expect((await only(app)).status).toBe('acknowledged');

    h.extraListeners.length = 0;
    await expect(h.service.acknowledge(id, 'ana')).resolves.toMatchObject({ status: 'acknowledged' });
    expect(h.told.map((t) => t.event)).toEqual(['opened', 'acknowledged']);
    expect((await only(app)).timeline.filter((e) => e.type === 'acknowledged')).toHaveLength(1);
  });

  it('when incidents open and resolve, then the open-incidents gauge follows and drops to 0', async () => {
    const app = uniqueApp();
    const gauge = async () =>
      (await h.metrics.openIncidents.get()).values.find((v) => v.labels.app === app && v.labels.kind === 'error_rate')?.value;

    await h.service.applySignals(app, [signal('open', T0), signal('open', T0, { fingerprint: 'error_rate' })], T0);
    expect(await gauge()).toBe(2);
    await h.service.applySignals(app, [signal('resolve', T0 + MIN), signal('resolve', T0 + MIN, { fingerprint: 'error_rate' })], T0 + MIN);
    expect(await gauge()).toBe(0);
  });
});
