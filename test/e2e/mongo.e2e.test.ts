import mongoose from 'mongoose';
import { ManualClock } from '../../src/clock';
import { aggregate } from '../support/login-traffic';
import { dropDatabase, mongoTestTarget, uniqueDatabaseUrl } from '../support/mongo';
import { eventually, startTestService, type TestService } from '../support/service';
import { MINUTE_MS as MIN } from '../../src/domain/time';

/**
 * The whole incident life on the MongoDB store (FerretDB in CI), with the API and a worker as separate processes as in
 * the compose stack: telemetry in, the worker opens the incident, an operator acknowledges and resolves it through the
 * API, the postmortem is drafted, reviewed and published, and every step is in the database.
 */
const iso = (ms: number) => new Date(ms).toISOString();

interface IncidentBody {
  id: string;
  status: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  suspectedCause: { dimension: string; value: string } | null;
}

const target = mongoTestTarget();

if ('url' in target) {
  describe(`an incident's life on MongoDB (${target.server})`, () => {
    const url = uniqueDatabaseUrl(target.url);
    // Frozen time: the detector judges the same closed minutes on every tick, whatever the machine's load.
    const clock = new ManualClock(Math.floor(Date.now() / MIN) * MIN + 30_000);
    let api: TestService;
    let worker: TestService | undefined;
    let raw: mongoose.Connection;

    beforeAll(async () => {
      const env = { MONGODB_URL: url };
      api = await startTestService('e2e-mongo', { mode: 'api', env, clock });
      worker = await startTestService('e2e-mongo', { mode: 'worker', env, clock, shareWith: api });
      raw = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5000 }).asPromise();
    });
    afterAll(async () => {
      await worker?.cleanup();
      await api?.cleanup();
      await raw?.close();
      await dropDatabase(url);
    });

    it('when a release breaks logins, then the incident opens, is acknowledged, resolved and its postmortem published', async () => {
      const app = (await (await api.api('/v1/apps', { method: 'POST', json: { name: 'shop-mongo' } })).json()) as {
        id: string;
        ingestKey: string;
      };
      const send = async (events: unknown[]) => {
        const res = await api.api('/v1/events', { method: 'POST', token: app.ingestKey, json: { events } });
        expect(res.status).toBe(202);
        expect(((await res.json()) as { rejected: unknown[] }).rejected).toEqual([]);
      };
      const now = Math.floor(clock.now() / MIN) * MIN;
      const history = [];
      for (let minute = now - 60 * MIN; minute <= now - 4 * MIN; minute += MIN) history.push(aggregate(minute, '5.1.0', 'android', 200, 3));
      await send(history);
      const release = await api.api('/v1/releases', {
        method: 'POST',
        token: app.ingestKey,
        json: { appVersion: '5.2.0', platform: 'android', releasedAt: iso(now - 3 * MIN - 30_000) },
      });
      expect(release.status).toBe(201);
      const broken = [];
      for (let minute = now - 3 * MIN; minute < now; minute += MIN) {
        broken.push(aggregate(minute, '5.1.0', 'android', 200, 3), aggregate(minute, '5.2.0', 'android', 150, 135, 'AUTH_TIMEOUT'));
      }
      await send(broken);

      const opened = await eventually(async () => {
        const body = (await (await api.api(`/v1/incidents?app=${app.id}`)).json()) as { incidents: IncidentBody[] };
        return body.incidents[0];
      }, 45_000, 500);
      expect(opened).toMatchObject({ status: 'open', suspectedCause: { dimension: 'appVersion', value: '5.2.0' } });
      // From here on only operators act: without the worker no detector tick can touch the incident meanwhile.
      await worker?.cleanup();
      worker = undefined;

      const incidents = raw.collection('incidents');
      expect(await incidents.findOne({ _id: opened.id as never })).toMatchObject({ status: 'open', openKey: `${app.id}\u0000error_rate` });

      clock.advance(4 * MIN);
      const acked = await api.api(`/v1/incidents/${opened.id}/ack`, { method: 'POST', json: { by: 'dana' } });
      expect(acked.status).toBe(200);
      expect(await acked.json()).toMatchObject({ status: 'acknowledged', acknowledgedAt: iso(clock.now()) });

      clock.advance(30 * MIN);
      const resolved = await api.api(`/v1/incidents/${opened.id}/resolve`, { method: 'POST', json: { by: 'dana', note: 'rolled back 5.2.0' } });
      expect(resolved.status).toBe(200);
      expect(await resolved.json()).toMatchObject({ status: 'resolved', resolvedAt: iso(clock.now()) });
      // Resolved, it holds its own id as openKey: the app + fingerprint is free for the next incident.
      expect(await incidents.findOne({ _id: opened.id as never })).toMatchObject({ status: 'resolved', openKey: opened.id });

      const path = `/v1/incidents/${opened.id}/postmortem`;
      const draft = await eventually(async () => {
        const res = await api.api(path);
        return res.status === 200 ? ((await res.json()) as { status: string; version: number }) : undefined;
      }, 15_000, 200);
      expect(draft.status).toBe('draft');

      clock.advance(60 * MIN);
      const reviewed = await api.api(path, { method: 'PATCH', json: { by: 'lee', rootCause: 'Release 5.2.0 timed out every login.', status: 'in_review' } });
      expect(reviewed.status).toBe(200);
      expect(await reviewed.json()).toMatchObject({ status: 'in_review', version: draft.version + 1 });
      const published = await api.api(`${path}/publish`, { method: 'POST', json: { by: 'lee' } });
      expect(published.status).toBe(200);
      expect(await published.json()).toMatchObject({ status: 'published', publishedAt: iso(clock.now()) });

      const listed = (await (await api.api(`/v1/postmortems?app=${app.id}&status=published`)).json()) as { postmortems: unknown[] };
      expect(listed.postmortems).toHaveLength(1);
      const markdown = await (await api.api(path, { headers: { accept: 'text/markdown' } })).text();
      expect(markdown).toContain('Release 5.2.0 timed out every login.');
      expect(await raw.collection('postmortems').findOne({ incidentId: opened.id })).toMatchObject({
        status: 'published',
        content: expect.objectContaining({ rootCause: 'Release 5.2.0 timed out every login.' }),
      });
    }, 90_000);
  });
} else {
  console.warn(`[vigil] mongo e2e: ${target.skipReason} — SKIPPED`);
  describe.skip(`an incident's life on MongoDB (SKIPPED: ${target.skipReason})`, () => {
    it('opens, acknowledges, resolves an incident and publishes its postmortem', () => undefined);
  });
}
