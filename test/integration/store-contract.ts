import { randomBytes } from 'node:crypto';
import type { Impact, Incident, PostmortemContent, SuspectedCause, TimelineEntry } from '../../src/domain/types';
import type { NewIncident, NewKey, Stores } from '../../src/store/ports';
import { MINUTE_MS as MIN } from '../../src/domain/time';

/**
 * One behaviour, two databases: every adapter of src/store/ports.ts must pass this suite. Tests share one store per
 * adapter and isolate themselves with unique app ids and fingerprints, so they never depend on each other's rows.
 */

const T0 = Date.UTC(2024, 3, 12, 14, 0, 0);

const unique = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

const impact: Impact = {
  errorRate: 0.38,
  baselineErrorRate: 0.015,
  failedLogins: 5230,
  affectedUsers: 4100,
  affectedUserPct: 0.4,
};

const cause: SuspectedCause = {
  dimension: 'appVersion',
  value: '5.2.0',
  share: 0.97,
  release: { appVersion: '5.2.0', releasedAt: T0 - 20 * MIN },
};

const entry = (at: number, type: TimelineEntry['type'], message: string, by?: string): TimelineEntry =>
  by === undefined ? { at, type, message } : { at, type, message, by };

function newIncident(over: Partial<NewIncident> = {}): NewIncident {
  return {
    app: unique('app'),
    fingerprint: 'error_rate:appVersion=5.2.0',
    kind: 'error_rate',
    severity: 'major',
    title: 'Login failures at 38% (baseline 1.5%) — appVersion 5.2.0',
    startedAt: T0 - 5 * MIN,
    detectedAt: T0,
    impact,
    suspectedCause: cause,
    timeline: [entry(T0 - 5 * MIN, 'started', 'failures began'), entry(T0, 'detected', 'detected by error_rate')],
    ...over,
  };
}

function content(title = 'Login outage'): PostmortemContent {
  return {
    title,
    summary: 'Logins failed for 40% of users for 3.5 hours.',
    facts: {
      startedAt: T0 - 5 * MIN,
      detectedAt: T0,
      resolvedAt: T0 + 60 * MIN,
      durationMs: 65 * MIN,
      detectionLagMs: 5 * MIN,
      firstPageAt: T0 + MIN,
      acknowledgedAt: null,
      peakErrorRate: 0.4,
      baselineErrorRate: 0.015,
      failedLogins: 5230,
      affectedUsers: 4100,
      affectedUserPct: 0.4,
      suspectedCause: cause,
    },
    timeline: [entry(T0, 'detected', 'detected')],
    rootCause: 'appVersion 5.2.0',
    resolution: 'rolled back',
    measures: { immediate: [{ id: 'm1', kind: 'immediate', text: 'roll back' }], preventive: [] },
    tasks: [],
  };
}

function newKey(at = T0): NewKey {
  const hash = randomBytes(32).toString('hex');
  return { keyPrefix: `vk_${hash.slice(0, 8)}`, keyHash: hash, createdAt: at };
}

export function describeStoreContract(name: string, open: () => Promise<Stores>, cleanup: () => Promise<void>): void {
  describe(`the ${name} store`, () => {
    let stores: Stores;

    beforeAll(async () => {
      stores = await open();
    });

    afterAll(async () => {
      await stores?.close();
      await cleanup();
    });

    describe('service', () => {
      it('when the database answers, then ping resolves', async () => {
        await expect(stores.ping()).resolves.toBeUndefined();
      });

      it('when a store is closed, then ping fails with unavailable and closing again is harmless', async () => {
        const other = await open();
        await other.close();
        await expect(other.ping()).rejects.toMatchObject({ code: 'unavailable' });
        await expect(other.close()).resolves.toBeUndefined();
      });
    });

    describe('apps and ingest keys', () => {
      it('when an app is created, then get and list return it and its key finds it', async () => {
        const key = newKey();
        const app = await stores.apps.create({ name: unique('shop-ios'), key, createdAt: T0 });
        expect(app).toEqual({ id: expect.stringMatching(/^app_/), name: app.name, createdAt: T0 });
        expect(await stores.apps.get(app.id)).toEqual(app);
        expect(await stores.apps.list()).toContainEqual(app);
        expect(await stores.apps.findByKeyHash(key.keyHash)).toEqual({
          app,
          key: { appId: app.id, keyPrefix: key.keyPrefix, keyHash: key.keyHash, createdAt: T0, revokedAt: null },
        });
      });

      it('when a second app takes a name already used, then it is refused with conflict', async () => {
        const name = unique('dup');
        await stores.apps.create({ name, key: newKey(), createdAt: T0 });
        await expect(stores.apps.create({ name, key: newKey(), createdAt: T0 + 1 })).rejects.toMatchObject({
          code: 'conflict',
        });
        expect((await stores.apps.list()).filter((a) => a.name === name)).toHaveLength(1);
      });

      it('when apps are listed, then they come oldest first', async () => {
        const first = await stores.apps.create({ name: unique('a'), key: newKey(), createdAt: T0 - 2 * MIN });
        const second = await stores.apps.create({ name: unique('b'), key: newKey(), createdAt: T0 - MIN });
        const ids = (await stores.apps.list()).map((a) => a.id);
        expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
      });

      it('when an id is unknown, then get returns null', async () => {
        expect(await stores.apps.get('app_missing')).toBeNull();
      });

      it('when a key is rotated and the old one revoked, then only the live key finds the app', async () => {
        const oldKey = newKey();
        const app = await stores.apps.create({ name: unique('rot'), key: oldKey, createdAt: T0 });
        const fresh = newKey(T0 + MIN);
        await stores.apps.addKey(app.id, fresh);

        expect(await stores.apps.revokeKey(app.id, oldKey.keyPrefix, T0 + 2 * MIN)).toBe(true);
        expect(await stores.apps.revokeKey(app.id, oldKey.keyPrefix, T0 + 3 * MIN)).toBe(false);

        expect(await stores.apps.findByKeyHash(oldKey.keyHash)).toBeNull();
        expect(await stores.apps.findByKeyHash(fresh.keyHash)).toMatchObject({
          app: { id: app.id },
          key: { keyPrefix: fresh.keyPrefix, createdAt: T0 + MIN, revokedAt: null },
        });
      });

      it('when a prefix belongs to no key of that app, then revoking returns false', async () => {
        const key = newKey();
        const app = await stores.apps.create({ name: unique('rev'), key, createdAt: T0 });
        const other = await stores.apps.create({ name: unique('rev'), key: newKey(), createdAt: T0 });
        expect(await stores.apps.revokeKey(app.id, 'vk_nothing', T0)).toBe(false);
        expect(await stores.apps.revokeKey(other.id, key.keyPrefix, T0)).toBe(false);
        expect(await stores.apps.findByKeyHash(key.keyHash)).not.toBeNull();
      });

      it('when a key is added to an unknown app, then it fails with not_found', async () => {
        await expect(stores.apps.addKey('app_missing', newKey())).rejects.toMatchObject({ code: 'not_found' });
      });

      it('when a hash matches no key, then findByKeyHash returns null', async () => {
        expect(await stores.apps.findByKeyHash(randomBytes(32).toString('hex'))).toBeNull();
      });
    });

    describe('releases', () => {
      it('when releases are registered out of order, then list returns each app’s oldest first', async () => {
        const app = unique('app');
        const other = unique('app');
        const later = await stores.releases.create({
          app,
          appVersion: '5.2.0',
          platform: 'android',
          releasedAt: T0,
          rolloutPercent: 20,
          notes: 'new login screen',
          createdAt: T0,
        });
        const earlier = await stores.releases.create({
          app,
          appVersion: '5.1.0',
          platform: null,
          releasedAt: T0 - 60 * MIN,
          rolloutPercent: null,
          notes: null,
          createdAt: T0 + 1,
        });
        const foreign = await stores.releases.create({
          app: other,
          appVersion: '1.0.0',
          platform: 'ios',
          releasedAt: T0 - 30 * MIN,
          rolloutPercent: null,
          notes: null,
          createdAt: T0,
        });
        expect(later.id).toMatch(/^rel_/);
        expect(await stores.releases.list(app)).toEqual([earlier, later]);
        const all = await stores.releases.list();
        expect(all).toEqual(expect.arrayContaining([earlier, later, foreign]));
        const positions = [earlier, foreign, later].map((r) => all.findIndex((x) => x.id === r.id));
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      });
    });

    describe('incidents: opening', () => {
      it('when an incident is opened, then it is open, versioned and readable as written', async () => {
        const input = newIncident();
        const { incident, created } = await stores.incidents.open(input);
        expect(created).toBe(true);
        expect(incident).toEqual({
          ...input,
          id: expect.stringMatching(/^inc_/),
          status: 'open',
          acknowledgedAt: null,
          resolvedAt: null,
          publicMessage: null,
          updatedAt: input.detectedAt,
          version: 1,
        });
        expect(await stores.incidents.get(incident.id)).toEqual(incident);
      });

      it('when an incident has no suspected cause, then it reads back as null', async () => {
        const { incident } = await stores.incidents.open(newIncident({ suspectedCause: null }));
        expect((await stores.incidents.get(incident.id))?.suspectedCause).toBeNull();
      });

      it('when the same fingerprint is opened twice, then the second returns the first (created=false)', async () => {
        const input = newIncident();
        const first = await stores.incidents.open(input);
        const second = await stores.incidents.open({ ...input, detectedAt: T0 + MIN, title: 'other title' });
        expect(second).toEqual({ incident: first.incident, created: false });
      });

      it('when five opens race for the same fingerprint, then one incident is created and all get it', async () => {
        const input = newIncident();
        const results = await Promise.all(Array.from({ length: 5 }, () => stores.incidents.open(input)));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
        expect(await stores.incidents.listUnresolved(input.app)).toHaveLength(1);
      });

      it('when another fingerprint or another app opens, then it is a separate incident', async () => {
        const input = newIncident();
        const a = await stores.incidents.open(input);
        const b = await stores.incidents.open({ ...input, fingerprint: 'volume_drop:app', kind: 'volume_drop' });
        const c = await stores.incidents.open({ ...input, app: unique('app') });
        expect(b.created && c.created).toBe(true);
        expect(new Set([a.incident.id, b.incident.id, c.incident.id]).size).toBe(3);
      });

      it('when an id is unknown, then get returns null', async () => {
        expect(await stores.incidents.get('inc_missing')).toBeNull();
      });
    });

    describe('incidents: finding and listing', () => {
      it('when incidents are listed with app, status and since, then only matching ones come, newest first', async () => {
        const app = unique('app');
        const old = (await stores.incidents.open(newIncident({ app, fingerprint: 'f1', detectedAt: T0 - 60 * MIN })))
          .incident;
        const mid = (await stores.incidents.open(newIncident({ app, fingerprint: 'f2', detectedAt: T0 - 30 * MIN })))
          .incident;
        const recent = (await stores.incidents.open(newIncident({ app, fingerprint: 'f3', detectedAt: T0 }))).incident;
        await stores.incidents.open(newIncident({ fingerprint: 'f3', detectedAt: T0 }));
        const acked = await stores.incidents.transition(mid.id, { from: ['open'], to: 'acknowledged', at: T0 });

        const ids = async (filter: Parameters<Stores['incidents']['list']>[0]) =>
          (await stores.incidents.list(filter)).incidents.map((i) => i.id);
        expect(await ids({ app, limit: 10 })).toEqual([recent.id, mid.id, old.id]);
        expect(await ids({ app, status: 'acknowledged', limit: 10 })).toEqual([mid.id]);
        expect(await ids({ app, status: 'open', limit: 10 })).toEqual([recent.id, old.id]);
        expect(await ids({ app, since: T0 - 30 * MIN, limit: 10 })).toEqual([recent.id, mid.id]);
        expect((await stores.incidents.list({ app, status: 'acknowledged', limit: 10 })).incidents).toEqual([acked]);
        expect((await stores.incidents.list({ app, limit: 10 })).nextCursor).toBeUndefined();
      });

      it('when five incidents are paged two at a time, then three pages cover them once, newest first', async () => {
        const app = unique('app');
        // Two share a detectedAt, so the id breaks the tie and the cursor must carry it.
        const times = [T0 - 4 * MIN, T0 - 3 * MIN, T0 - 2 * MIN, T0 - 2 * MIN, T0];
        const opened: Incident[] = [];
        for (const [i, detectedAt] of times.entries()) {
          opened.push((await stores.incidents.open(newIncident({ app, fingerprint: `fp${i}`, detectedAt }))).incident);
        }
        const expected = [...opened]
          .sort((a, b) => b.detectedAt - a.detectedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
          .map((i) => i.id);

        const page1 = await stores.incidents.list({ app, limit: 2 });
        expect(page1.nextCursor).toEqual(expect.any(String));
        const page2 = await stores.incidents.list({ app, limit: 2, cursor: page1.nextCursor });
        expect(page2.nextCursor).toEqual(expect.any(String));
        const page3 = await stores.incidents.list({ app, limit: 2, cursor: page2.nextCursor });
        expect(page3.nextCursor).toBeUndefined();

        expect([page1, page2, page3].map((p) => p.incidents.length)).toEqual([2, 2, 1]);
        expect([...page1.incidents, ...page2.incidents, ...page3.incidents].map((i) => i.id)).toEqual(expected);
      });

      it('when a cursor is garbled, then list fails with bad_request', async () => {
        await expect(stores.incidents.list({ limit: 2, cursor: 'not-a-cursor' })).rejects.toMatchObject({
          code: 'bad_request',
        });
      });

      it('when looking for the open incident of a fingerprint, then findOpen returns it until it resolves', async () => {
        const input = newIncident();
        expect(await stores.incidents.findOpen(input.app, input.fingerprint)).toBeNull();
        const { incident } = await stores.incidents.open(input);
        expect(await stores.incidents.findOpen(input.app, input.fingerprint)).toEqual(incident);
        expect(await stores.incidents.findOpen(input.app, 'other')).toBeNull();
        await stores.incidents.transition(incident.id, { from: ['open'], to: 'acknowledged', at: T0 + MIN });
        expect(await stores.incidents.findOpen(input.app, input.fingerprint)).toMatchObject({ id: incident.id });
        await stores.incidents.transition(incident.id, { from: ['acknowledged'], to: 'resolved', at: T0 + 2 * MIN });
        expect(await stores.incidents.findOpen(input.app, input.fingerprint)).toBeNull();
      });

      it('when an incident resolved recently, then findRecentlyResolved returns the latest one within the window', async () => {
        const input = newIncident();
        const first = (await stores.incidents.open(input)).incident;
        await stores.incidents.transition(first.id, { from: ['open'], to: 'resolved', at: T0 + 10 * MIN });
        const second = (await stores.incidents.open({ ...input, detectedAt: T0 + 20 * MIN })).incident;
        await stores.incidents.transition(second.id, { from: ['open'], to: 'resolved', at: T0 + 30 * MIN });

        expect(await stores.incidents.findRecentlyResolved(input.app, input.fingerprint, T0)).toMatchObject({
          id: second.id,
          resolvedAt: T0 + 30 * MIN,
        });
        expect(await stores.incidents.findRecentlyResolved(input.app, input.fingerprint, T0 + 31 * MIN)).toBeNull();
        expect(await stores.incidents.findRecentlyResolved(input.app, 'other', T0)).toBeNull();
      });

      it('when listing unresolved incidents, then open and acknowledged ones come, for one app or all', async () => {
        const app = unique('app');
        const open = (await stores.incidents.open(newIncident({ app, fingerprint: 'a' }))).incident;
        const acked = (await stores.incidents.open(newIncident({ app, fingerprint: 'b', detectedAt: T0 + MIN })))
          .incident;
        const resolved = (await stores.incidents.open(newIncident({ app, fingerprint: 'c' }))).incident;
        const elsewhere = (await stores.incidents.open(newIncident())).incident;
        await stores.incidents.transition(acked.id, { from: ['open'], to: 'acknowledged', at: T0 + 2 * MIN });
        await stores.incidents.transition(resolved.id, { from: ['open'], to: 'resolved', at: T0 + 2 * MIN });

        expect((await stores.incidents.listUnresolved(app)).map((i) => i.id)).toEqual([acked.id, open.id]);
        const all = (await stores.incidents.listUnresolved()).map((i) => i.id);
        expect(all).toEqual(expect.arrayContaining([open.id, acked.id, elsewhere.id]));
        expect(all).not.toContain(resolved.id);
      });
    });

    describe('incidents: transitions (compare-and-set)', () => {
      it('when an incident is acknowledged twice, then the second attempt returns null', async () => {
        const { incident } = await stores.incidents.open(newIncident());
        const ack = entry(T0 + MIN, 'acknowledged', 'acknowledged by ana', 'ana');
        const first = await stores.incidents.transition(incident.id, {
          from: ['open'],
          to: 'acknowledged',
          at: T0 + MIN,
          by: 'ana',
          timeline: [ack],
        });
        expect(first).toEqual({
          ...incident,
          status: 'acknowledged',
          acknowledgedAt: T0 + MIN,
          timeline: [...incident.timeline, ack],
          updatedAt: T0 + MIN,
          version: 2,
        });
        const second = await stores.incidents.transition(incident.id, {
          from: ['open'],
          to: 'acknowledged',
          at: T0 + 2 * MIN,
          by: 'bob',
        });
        expect(second).toBeNull();
        expect(await stores.incidents.get(incident.id)).toEqual(first);
      });

      it('when an acknowledged incident resolves, then resolvedAt is set and the patch applied', async () => {
        const { incident } = await stores.incidents.open(newIncident());
        await stores.incidents.transition(incident.id, { from: ['open'], to: 'acknowledged', at: T0 + MIN });
        const resolved = await stores.incidents.transition(incident.id, {
          from: ['open', 'acknowledged'],
          to: 'resolved',
          at: T0 + 10 * MIN,
          patch: { severity: 'critical', publicMessage: 'Fixed' },
          timeline: [entry(T0 + 10 * MIN, 'resolved', 'back to baseline')],
        });
        expect(resolved).toMatchObject({
          status: 'resolved',
          acknowledgedAt: T0 + MIN,
          resolvedAt: T0 + 10 * MIN,
          severity: 'critical',
          publicMessage: 'Fixed',
          title: incident.title,
          version: 3,
        });
        expect(resolved?.timeline.map((t) => t.type)).toEqual(['started', 'detected', 'resolved']);
      });

      it('when a resolved incident reopens, then it is open again and resolvedAt is cleared', async () => {
        const input = newIncident();
        const { incident } = await stores.incidents.open(input);
        await stores.incidents.transition(incident.id, { from: ['open'], to: 'resolved', at: T0 + 5 * MIN });
        const reopened = await stores.incidents.transition(incident.id, {
          from: ['resolved'],
          to: 'open',
          at: T0 + 7 * MIN,
          timeline: [entry(T0 + 7 * MIN, 'detected', 'relapse')],
        });
        expect(reopened).toMatchObject({ id: incident.id, status: 'open', resolvedAt: null, version: 3 });
        expect(await stores.incidents.findOpen(input.app, input.fingerprint)).toEqual(reopened);
        expect(await stores.incidents.open(input)).toEqual({ incident: reopened, created: false });
      });

      it('when another incident of the fingerprint is open, then reopening is refused with null', async () => {
        const input = newIncident();
        const first = (await stores.incidents.open(input)).incident;
        await stores.incidents.transition(first.id, { from: ['open'], to: 'resolved', at: T0 + 5 * MIN });
        const second = await stores.incidents.open({ ...input, detectedAt: T0 + 10 * MIN });
        expect(second.created).toBe(true);
        expect(second.incident.id).not.toBe(first.id);

        const reopen = await stores.incidents.transition(first.id, { from: ['resolved'], to: 'open', at: T0 + 11 * MIN });
        expect(reopen).toBeNull();
        expect(await stores.incidents.get(first.id)).toMatchObject({ status: 'resolved', resolvedAt: T0 + 5 * MIN });
        expect(await stores.incidents.findOpen(input.app, input.fingerprint)).toMatchObject({ id: second.incident.id });
      });

      it('when the id is unknown, then transition returns null', async () => {
        expect(await stores.incidents.transition('inc_missing', { from: ['open'], to: 'resolved', at: T0 })).toBeNull();
      });
    });

    describe('incidents: updates', () => {
      it('when an incident is updated, then the patch applies and the timeline grows in order', async () => {
        const { incident } = await stores.incidents.open(newIncident());
        const escalated = entry(T0 + 2 * MIN, 'escalated', 'paged secondary');
        const note = entry(T0 + 2 * MIN, 'note', 'looking at 5.2.0', 'ana');
        const updated = await stores.incidents.update(incident.id, {
          at: T0 + 2 * MIN,
          patch: { severity: 'critical', title: 'worse', impact: { ...impact, errorRate: 0.5 }, suspectedCause: null },
          timeline: [escalated, note],
        });
        expect(updated).toEqual({
          ...incident,
          severity: 'critical',
          title: 'worse',
          impact: { ...impact, errorRate: 0.5 },
          suspectedCause: null,
          timeline: [...incident.timeline, escalated, note],
          updatedAt: T0 + 2 * MIN,
          version: 2,
        });
        expect(await stores.incidents.get(incident.id)).toEqual(updated);
      });

      it('when a patch leaves fields out, then they keep their values; null clears publicMessage', async () => {
        const { incident } = await stores.incidents.open(newIncident());
        await stores.incidents.update(incident.id, { at: T0 + MIN, patch: { publicMessage: 'We are on it' } });
        const kept = await stores.incidents.update(incident.id, { at: T0 + 2 * MIN, patch: { severity: 'minor' } });
        expect(kept).toMatchObject({ publicMessage: 'We are on it', severity: 'minor', suspectedCause: cause });
        const cleared = await stores.incidents.update(incident.id, { at: T0 + 3 * MIN, patch: { publicMessage: null } });
        expect(cleared?.publicMessage).toBeNull();
      });

      it('when two updates append at once, then both timeline entries land', async () => {
        const { incident } = await stores.incidents.open(newIncident());
        const a = entry(T0 + MIN, 'note', 'from ana', 'ana');
        const b = entry(T0 + MIN, 'note', 'from bob', 'bob');
        await Promise.all([
          stores.incidents.update(incident.id, { at: T0 + MIN, timeline: [a] }),
          stores.incidents.update(incident.id, { at: T0 + MIN, timeline: [b] }),
        ]);
        const after = await stores.incidents.get(incident.id);
        expect(after?.version).toBe(3);
        expect(after?.timeline.slice(0, 2)).toEqual(incident.timeline);
        expect(after?.timeline.slice(2)).toEqual(expect.arrayContaining([a, b]));
        expect(after?.timeline).toHaveLength(4);
      });

      it('when the id is unknown, then update returns null', async () => {
        expect(await stores.incidents.update('inc_missing', { at: T0, patch: { title: 'x' } })).toBeNull();
      });
    });

    describe('postmortems', () => {
      it('when a draft is created, then it is readable by incident and a second create returns it', async () => {
        const incidentId = unique('inc');
        const app = unique('app');
        const { postmortem, created } = await stores.postmortems.createDraft({
          incidentId,
          app,
          content: content(),
          createdAt: T0,
        });
        expect(created).toBe(true);
        expect(postmortem).toEqual({
          id: expect.stringMatching(/^pm_/),
          incidentId,
          app,
          status: 'draft',
          content: content(),
          edits: [],
          createdAt: T0,
          updatedAt: T0,
          publishedAt: null,
          version: 1,
        });
        expect(await stores.postmortems.get(incidentId)).toEqual(postmortem);
        const again = await stores.postmortems.createDraft({ incidentId, app, content: content('x'), createdAt: T0 + 1 });
        expect(again).toEqual({ postmortem, created: false });
      });

      it('when three drafts race for one incident, then exactly one is created', async () => {
        const incidentId = unique('inc');
        const results = await Promise.all(
          [1, 2, 3].map((n) =>
            stores.postmortems.createDraft({ incidentId, app: 'a', content: content(`v${n}`), createdAt: T0 + n }),
          ),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.postmortem.id)).size).toBe(1);
      });

      it('when an incident has no postmortem, then get returns null', async () => {
        expect(await stores.postmortems.get('inc_missing')).toBeNull();
      });

      it('when postmortems are listed by app and status, then matching ones come newest first', async () => {
        const app = unique('app');
        const older = (await stores.postmortems.createDraft({ incidentId: unique('inc'), app, content: content(), createdAt: T0 }))
          .postmortem;
        const newer = (
          await stores.postmortems.createDraft({ incidentId: unique('inc'), app, content: content(), createdAt: T0 + MIN })
        ).postmortem;
        await stores.postmortems.createDraft({ incidentId: unique('inc'), app: unique('app'), content: content(), createdAt: T0 });
        const published = await stores.postmortems.update(older.incidentId, 1, {
          status: 'published',
          publishedAt: T0 + 2 * MIN,
          edit: { at: T0 + 2 * MIN, by: 'ana', fields: ['status'] },
          at: T0 + 2 * MIN,
        });

        expect((await stores.postmortems.list({ app })).map((p) => p.id)).toEqual([newer.id, older.id]);
        expect(await stores.postmortems.list({ app, status: 'published' })).toEqual([published]);
        expect((await stores.postmortems.list({ app, status: 'draft' })).map((p) => p.id)).toEqual([newer.id]);
        expect((await stores.postmortems.list({})).map((p) => p.id)).toEqual(expect.arrayContaining([newer.id, older.id]));
      });

      it('when an edit carries the current version, then it applies and logs; a stale version gets null', async () => {
        const incidentId = unique('inc');
        await stores.postmortems.createDraft({ incidentId, app: 'a', content: content(), createdAt: T0 });
        const edit1 = { at: T0 + MIN, by: 'ana', fields: ['rootCause'] };
        const v2 = await stores.postmortems.update(incidentId, 1, {
          content: { ...content(), rootCause: 'a null check' },
          edit: edit1,
          at: T0 + MIN,
        });
        expect(v2).toMatchObject({
          version: 2,
          status: 'draft',
          updatedAt: T0 + MIN,
          content: { rootCause: 'a null check', resolution: 'rolled back' },
          edits: [edit1],
        });

        const stale = await stores.postmortems.update(incidentId, 1, {
          content: content('lost'),
          edit: { at: T0 + 2 * MIN, by: 'bob', fields: ['title'] },
          at: T0 + 2 * MIN,
        });
        expect(stale).toBeNull();

        const edit2 = { at: T0 + 3 * MIN, by: 'bob', fields: ['status'] };
        const v3 = await stores.postmortems.update(incidentId, 2, {
          status: 'in_review',
          edit: edit2,
          at: T0 + 3 * MIN,
        });
        expect(v3).toMatchObject({ version: 3, status: 'in_review', edits: [edit1, edit2], publishedAt: null });
        expect(v3?.content.rootCause).toBe('a null check');
        expect(await stores.postmortems.get(incidentId)).toEqual(v3);
      });

      it('when no postmortem exists for the incident, then update returns null', async () => {
        const edit = { at: T0, by: 'ana', fields: [] };
        expect(await stores.postmortems.update('inc_missing', 1, { edit, at: T0 })).toBeNull();
      });
    });

    describe('alert channels', () => {
      it('when a channel is created, then get and list return it with its secret; delete removes it once', async () => {
        const channel = await stores.channels.create({
          type: 'webhook',
          url: 'https://hooks.example.com/vigil',
          secret: 's3cret',
          routingKey: null,
          apps: [unique('app'), unique('app')],
          minSeverity: 'major',
          escalateAfterMinutes: 15,
          createdAt: T0,
        });
        expect(channel.id).toMatch(/^ch_/);
        expect(await stores.channels.get(channel.id)).toEqual(channel);
        expect(await stores.channels.list()).toContainEqual(channel);

        expect(await stores.channels.delete(channel.id)).toBe(true);
        expect(await stores.channels.delete(channel.id)).toBe(false);
        expect(await stores.channels.get(channel.id)).toBeNull();
        expect((await stores.channels.list()).map((c) => c.id)).not.toContain(channel.id);
      });

      it('when a channel covers every app, then apps reads back as null', async () => {
        const channel = await stores.channels.create({
          type: 'pagerduty',
          url: 'https://events.pagerduty.com/v2/enqueue',
          secret: null,
          routingKey: 'R0UTING',
          apps: null,
          minSeverity: 'critical',
          escalateAfterMinutes: null,
          createdAt: T0,
        });
        expect(await stores.channels.get(channel.id)).toEqual({ ...channel, apps: null, routingKey: 'R0UTING' });
      });
    });

    describe('silences', () => {
      it('when a silence is created, then list returns it and delete removes it once', async () => {
        const silence = await stores.silences.create({
          app: unique('app'),
          kind: 'error_rate',
          until: T0 + 60 * MIN,
          reason: 'planned maintenance',
          createdAt: T0,
        });
        expect(silence.id).toMatch(/^sil_/);
        expect(await stores.silences.list()).toContainEqual(silence);
        expect(await stores.silences.delete(silence.id)).toBe(true);
        expect(await stores.silences.delete(silence.id)).toBe(false);
        expect((await stores.silences.list()).map((s) => s.id)).not.toContain(silence.id);
      });

      it('when looking for active silences, then only unexpired ones of the app and kind (or any kind) match', async () => {
        const app = unique('app');
        const base = { app, reason: 'maintenance', createdAt: T0 };
        const anyKind = await stores.silences.create({ ...base, kind: null, until: T0 + 60 * MIN });
        const errorRate = await stores.silences.create({ ...base, kind: 'error_rate', until: T0 + 30 * MIN });
        await stores.silences.create({ ...base, kind: 'volume_drop', until: T0 + 30 * MIN });
        await stores.silences.create({ ...base, kind: null, until: T0 - MIN });
        await stores.silences.create({ ...base, app: unique('app'), kind: null, until: T0 + 60 * MIN });

        const ids = async (kind: 'error_rate' | 'volume_drop', at: number) =>
          (await stores.silences.findActive(app, kind, at)).map((s) => s.id).sort();
        expect(await ids('error_rate', T0)).toEqual([anyKind.id, errorRate.id].sort());
        expect(await ids('error_rate', T0 + 30 * MIN)).toEqual([anyKind.id]);
        expect(await ids('error_rate', T0 + 60 * MIN)).toEqual([]);
        expect(await stores.silences.findActive(app, 'error_rate', T0)).toContainEqual(errorRate);
      });
    });
  });
}
