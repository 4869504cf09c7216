import { Router } from 'express';
import { AppService } from '../../src/apps/service';
import { incidentsRouter } from '../../src/http/routes/incidents';
import { ADMIN_TOKEN, call, incidentHarness, MIN, serve, signal, T0, uniqueApp, type IncidentHarness } from './incident-fixtures';

describe('the incidents API over HTTP', () => {
  let h: IncidentHarness;
  let server: { url: string; close(): Promise<void> };
  let ingestKey: string;

  beforeAll(async () => {
    h = await incidentHarness('incident-api');
    server = await serve(h, (auth) => {
      // Mounted after the incidents router on purpose: it must still be reachable without the admin token.
      const signedLink = Router().get('/v1/incidents/:id/ack', (_req, res) => {
        res.json({ signedLink: true });
      });
      return [incidentsRouter({ auth, incidents: h.service }), signedLink];
    });
    ingestKey = (await new AppService(h.stores.apps, h.clock).create('shop-ios')).ingestKey;
  });
  afterAll(async () => {
    await server.close();
    await h.close();
  });

  const url = (path: string) => `${server.url}${path}`;
  const openIncident = async (app = uniqueApp(), at = T0) => {
    await h.service.applySignals(app, [signal('open', at)], at);
    return (await h.stores.incidents.findOpen(app, signal('open', at).finding.fingerprint))!;
  };
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details?: unknown } }).error;

  it('when no token or an ingest key is given, then operator routes answer 401 and 403', async () => {
    expect((await call(url('/v1/incidents'), { token: null })).status).toBe(401);
    expect((await call(url('/v1/incidents'), { token: ingestKey })).status).toBe(403);
    expect((await call(url('/v1/incidents/inc_x/ack'), { token: ingestKey, json: { by: 'ana' } })).status).toBe(403);
  });

  it('when the signed acknowledge link is mounted after this router, then it still works without the admin token', async () => {
    const res = await call(url('/v1/incidents/inc_x/ack?token=signed'), { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ signedLink: true });
  });

  it('when listing with a limit, then pages come newest first and nextCursor leads to the rest', async () => {
    const app = uniqueApp();
    const ids = [];
    for (let i = 0; i < 3; i++) {
      await h.service.applySignals(app, [signal('open', T0 + i * MIN, { fingerprint: `error_rate:${i}` })], T0 + i * MIN);
      ids.push((await h.stores.incidents.findOpen(app, `error_rate:${i}`))!.id);
    }

    const first = (await (await call(url(`/v1/incidents?app=${app}&limit=2`))).json()) as { incidents: { id: string; detectedAt: string }[]; nextCursor?: string };
    expect(first.incidents.map((i) => i.id)).toEqual([ids[2], ids[1]]);
    expect(first.incidents[0]!.detectedAt).toBe(new Date(T0 + 2 * MIN).toISOString());
    expect(first.nextCursor).toEqual(expect.any(String));

    const second = (await (await call(url(`/v1/incidents?app=${app}&limit=2&cursor=${first.nextCursor}`))).json()) as { incidents: { id: string }[]; nextCursor?: string };
    expect(second.incidents.map((i) => i.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeUndefined();

    const open = (await (await call(url(`/v1/incidents?app=${app}&status=open&since=${new Date(T0 + MIN).toISOString()}`))).json()) as { incidents: unknown[] };
    expect(open.incidents).toHaveLength(2);
  });

  it('when the query is out of range or unknown, then 400 names the field', async () => {
    const tooMany = await call(url('/v1/incidents?limit=500'));
    expect(tooMany.status).toBe(400);
    expect((await errorOf(tooMany)).details).toEqual([expect.objectContaining({ field: 'limit' })]);
    const unknown = await call(url('/v1/incidents?colour=red'));
    expect(unknown.status).toBe(400);
    expect((await errorOf(unknown)).message).toContain('colour');
    expect((await call(url('/v1/incidents?cursor=garbage'))).status).toBe(400);
  });

  it('when an incident is fetched, then it is the Incident of the contract; an unknown id is 404', async () => {
    const incident = await openIncident();
    const res = await call(url(`/v1/incidents/${incident.id}`));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: incident.id,
      kind: 'error_rate',
      status: 'open',
      startedAt: new Date(T0 - 5 * MIN).toISOString(),
      acknowledgedAt: null,
      suspectedCause: { dimension: 'appVersion', value: '5.2.0', release: { releasedAt: new Date(T0 - 20 * MIN).toISOString() } },
    });
    expect((await call(url('/v1/incidents/inc_nope'))).status).toBe(404);
  });

  it('when an operator acks, notes, patches and resolves, then each answer is the updated incident; acking it then is 409', async () => {
    const { id } = await openIncident();
    const ack = await call(url(`/v1/incidents/${id}/ack`), { json: { by: 'ana' } });
    expect(ack.status).toBe(200);
    expect(await ack.json()).toMatchObject({ status: 'acknowledged', acknowledgedAt: new Date(T0).toISOString() });

    const note = (await (await call(url(`/v1/incidents/${id}/notes`), { json: { by: 'ana', text: 'rolling back' } })).json()) as { timeline: unknown[] };
    expect(note.timeline.at(-1)).toEqual({ at: new Date(T0).toISOString(), type: 'note', message: 'rolling back', by: 'ana' });

    const patched = await call(url(`/v1/incidents/${id}`), { method: 'PATCH', json: { severity: 'critical', publicMessage: 'Update to 5.2.1' } });
    expect(await patched.json()).toMatchObject({ severity: 'critical', publicMessage: 'Update to 5.2.1' });

    const resolved = await call(url(`/v1/incidents/${id}/resolve`), { json: { by: 'bo', note: 'rolled back' } });
    expect(await resolved.json()).toMatchObject({ status: 'resolved', resolvedAt: new Date(T0).toISOString() });

    const late = await call(url(`/v1/incidents/${id}/ack`), { json: { by: 'ana' } });
    expect(late.status).toBe(409);
    expect(await errorOf(late)).toMatchObject({ code: 'conflict', message: expect.stringContaining('resolved'), details: { status: 'resolved' } });
    expect(h.told.filter((t) => t.id === id).map((t) => t.event)).toEqual(['opened', 'acknowledged', 'resolved']);
  });

  it('when a body has an unknown or missing field, then 400 names it; a non-JSON body is 415', async () => {
    const { id } = await openIncident();
    const extra = await call(url(`/v1/incidents/${id}/ack`), { json: { by: 'ana', urgent: true } });
    expect(extra.status).toBe(400);
    expect((await errorOf(extra)).message).toContain('urgent');

    const missing = await call(url(`/v1/incidents/${id}/notes`), { json: { by: 'ana' } });
    expect((await errorOf(missing)).details).toEqual([expect.objectContaining({ field: 'text' })]);

    const badSeverity = await call(url(`/v1/incidents/${id}`), { method: 'PATCH', json: { severity: 'apocalyptic' } });
    expect((await errorOf(badSeverity)).details).toEqual([expect.objectContaining({ field: 'severity' })]);
    expect((await call(url(`/v1/incidents/${id}`), { method: 'PATCH', json: {} })).status).toBe(400);

    const plain = await fetch(url(`/v1/incidents/${id}/ack`), {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/plain' },
      body: 'by=ana',
    });
    expect(plain.status).toBe(415);
  });
});
