import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { KeyResolver } from '../../src/apps/key-resolver';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { Finding } from '../../src/domain/detector/signals';
import type { Incident } from '../../src/domain/types';
import { createHttpApp } from '../../src/http/app';
import { createAuth } from '../../src/http/auth';
import { incidentsRouter } from '../../src/http/routes/incidents';
import { postmortemsRouter } from '../../src/http/routes/postmortems';
import { IncidentService } from '../../src/incidents/service';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { PostmortemService } from '../../src/postmortems/service';
import { openStores } from '../../src/store';
import type { Stores } from '../../src/store/ports';
import { makeTempDir } from '../support/tmp';

const TOKEN = 'admin-token-for-postmortem-tests';
const at = (hhmm: string) => Date.parse(`2023-04-12T${hhmm}:00Z`);

const seedFinding: Finding = {
  kind: 'error_rate',
  fingerprint: 'error_rate:appVersion=5.2.0',
  severity: 'critical',
  startedAt: at('14:00'),
  impact: { errorRate: 0.38, baselineErrorRate: 0.015, failedLogins: 5230, affectedUsers: 4100, affectedUserPct: 0.4 },
  suspectedCause: { dimension: 'appVersion', value: '5.2.0', share: 0.97, release: { appVersion: '5.2.0', releasedAt: at('14:00') } },
};

let tmp: ReturnType<typeof makeTempDir>;
let stores: Stores;
let clock: ManualClock;
let incidents: IncidentService;
let server: Server;
let base: string;
let appSeq = 0;

beforeAll(async () => {
  tmp = makeTempDir('postmortem-api');
  const logger = createLogger('silent');
  const metrics = createMetrics(new Registry(), { defaultMetrics: false });
  stores = await openStores(loadConfig({ DATA_DIR: tmp.dir }), logger);
  clock = new ManualClock(at('14:00'));
  const postmortems = new PostmortemService({ postmortems: stores.postmortems, incidents: stores.incidents, clock, logger });
  incidents = new IncidentService({ incidents: stores.incidents, listeners: [postmortems.listener], clock, logger, metrics });
  const auth = createAuth(TOKEN, new KeyResolver(stores.apps, clock));
  const routers = [incidentsRouter({ auth, incidents }), postmortemsRouter({ auth, postmortems })];
  server = createHttpApp({ logger, metrics, routers }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await stores.close();
  tmp.remove();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, text, json: type.includes('json') ? JSON.parse(text) : undefined };
}

/** The seed incident as the detector and the alerting would have left it: opened 14:02, paged 14:03, acknowledged 14:24. */
async function seedIncident(): Promise<{ incident: Incident; app: string }> {
  const app = `app_pm${++appSeq}`;
  clock.set(at('14:02'));
  const { incident } = await stores.incidents.open({
    app,
    fingerprint: seedFinding.fingerprint,
    kind: 'error_rate',
    severity: 'critical',
    title: 'Login failures at 38% (baseline 1.5%) — app version 5.2.0, released 14:00 UTC',
    startedAt: at('14:00'),
    detectedAt: at('14:02'),
    impact: seedFinding.impact,
    suspectedCause: seedFinding.suspectedCause,
    timeline: [
      { at: at('14:00'), type: 'started', message: 'Anomaly began (estimated change point) in app version 5.2.0' },
      { at: at('14:02'), type: 'detected', message: 'Vigil detected: Login failures at 38% (baseline 1.5%)' },
    ],
  });
  await stores.incidents.update(incident.id, { at: at('14:03'), timeline: [{ at: at('14:03'), type: 'alerted', message: 'Paged on-call via pagerduty' }] });
  clock.set(at('14:24'));
  expect((await call('POST', `/v1/incidents/${incident.id}/ack`, { by: 'dana' })).status).toBe(200);
  clock.set(at('17:30'));
  return { incident, app };
}

const resolve = (id: string) => call('POST', `/v1/incidents/${id}/resolve`, { by: 'dana', note: 'rolled back to 5.1.3' });

async function resolvedSeed() {
  const seeded = await seedIncident();
  expect((await resolve(seeded.incident.id)).status).toBe(200);
  return seeded;
}

describe('postmortems over HTTP on the embedded store', () => {
  it('when an incident resolves, and the resolve is retried, then exactly one draft exists', async () => {
    const { incident, app } = await seedIncident();
    expect((await resolve(incident.id)).status).toBe(200);
    expect((await resolve(incident.id)).status).toBe(200);
    const list = await call('GET', `/v1/postmortems?app=${app}`);
    expect(list.status).toBe(200);
    expect(list.json.postmortems).toHaveLength(1);
    expect(list.json.postmortems[0]).toMatchObject({ incidentId: incident.id, app, status: 'draft', version: 1, edits: [] });
  });

  it('when an operator resolve races the detector’s auto-resolve and a second operator, then exactly one draft exists', async () => {
    const { incident, app } = await seedIncident();
    const results = await Promise.all([
      resolve(incident.id),
      resolve(incident.id),
      incidents.applySignals(app, [{ type: 'resolve', at: at('17:30'), finding: seedFinding }], at('17:30')),
      call('GET', `/v1/incidents/${incident.id}/postmortem`),
    ]);
    expect(results[0].status).toBe(200);
    expect(results[1].status).toBe(200);
    const list = await call('GET', `/v1/postmortems?app=${app}`);
    expect(list.json.postmortems).toHaveLength(1);
    expect(list.json.postmortems[0].edits).toEqual([]);
  });

  it('when the incident is still open, then GET says it is not resolved yet', async () => {
    const { incident } = await seedIncident();
    const res = await call('GET', `/v1/incidents/${incident.id}/postmortem`);
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe(
      `Incident ${incident.id} is not resolved yet (status acknowledged): its postmortem is drafted when it resolves`,
    );
    expect((await call('GET', '/v1/incidents/inc_nope/postmortem')).json.error.message).toBe('Incident inc_nope not found');
  });

  it('when the process died between resolving and drafting, then GET drafts it', async () => {
    const { incident } = await seedIncident();
    // Written straight to the store: no listener ran.
    await stores.incidents.transition(incident.id, { from: ['acknowledged'], to: 'resolved', at: at('17:30'), timeline: [] });
    const res = await call('GET', `/v1/incidents/${incident.id}/postmortem`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ incidentId: incident.id, status: 'draft', title: 'Login failures in app version 5.2.0, 2023-04-12' });
  });

  it('when read as JSON, then times are ISO strings and the facts are the measured ones', async () => {
    const { incident } = await resolvedSeed();
    const { json } = await call('GET', `/v1/incidents/${incident.id}/postmortem`);
    expect(json.facts).toEqual({
      startedAt: '2023-04-12T14:00:00.000Z',
      detectedAt: '2023-04-12T14:02:00.000Z',
      resolvedAt: '2023-04-12T17:30:00.000Z',
      durationMs: 12_600_000,
      detectionLagMs: 120_000,
      firstPageAt: '2023-04-12T14:03:00.000Z',
      acknowledgedAt: '2023-04-12T14:24:00.000Z',
      peakErrorRate: 0.38,
      baselineErrorRate: 0.015,
      failedLogins: 5230,
      affectedUsers: 4100,
      affectedUserPct: 0.4,
      suspectedCause: { dimension: 'appVersion', value: '5.2.0', share: 0.97, release: { appVersion: '5.2.0', releasedAt: '2023-04-12T14:00:00.000Z' } },
    });
    expect(json.timeline.at(-1)).toEqual({ at: '2023-04-12T17:30:00.000Z', type: 'resolved', message: 'Resolved by dana: rolled back to 5.1.3', by: 'dana' });
    expect(json.createdAt).toBe('2023-04-12T17:30:00.000Z');
    expect(json.publishedAt).toBeNull();
  });

  it('when read as Markdown, then every seed section is there with real numbers', async () => {
    const { incident } = await resolvedSeed();
    const res = await call('GET', `/v1/incidents/${incident.id}/postmortem`, undefined, { accept: 'text/markdown' });
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/markdown; charset=utf-8');
    const headings = res.text.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '# Postmortem: Login failures in app version 5.2.0, 2023-04-12',
      '## Incident Summary',
      '## Timeline',
      '## Root Cause and Resolution',
      '## Corrective and Preventive Measures',
      '### Immediate',
      '### Preventive',
      '## Tasks',
    ]);
    for (const text of [
      '- **Duration:** 3 h 30 min (2023-04-12 14:00 → 17:30 UTC)',
      '38% of logins failing at the peak (baseline 1.5%); 5,230 failed logins; 4,100 users affected (40% of active users)',
      '- **2023-04-12 14:00** — App version 5.2.0 released',
      '- **14:03** — Paged on-call via pagerduty',
      '- **14:24** — Acknowledged by dana',
      '- **17:30** — Resolved by dana: rolled back to 5.1.3',
      '- Halt the rollout of 5.2.0 and roll back (or ship a fixed build) so its users can log in again.',
      '- Review the escalation policy: the acknowledgement took 21 min (aim: within 15 min of the page).',
      '| Halt the 5.2.0 rollout and ship a fixed build | — | open | 2023-04-19 |',
    ]) {
      expect(res.text).toContain(text);
    }
  });

  it('when reviewers edit, then the edit log names who changed which fields, and review then publishing locks it', async () => {
    const { incident } = await resolvedSeed();
    const path = `/v1/incidents/${incident.id}/postmortem`;
    clock.set(at('18:00'));
    const edited = await call('PATCH', path, {
      by: 'dana',
      rootCause: 'A refactor of the token refresh in 5.2.0 dropped the client id on Android and iOS.',
      tasks: [{ title: 'Add a login contract test', owner: 'lee', dueDate: '2023-04-20' }],
      measures: { immediate: [{ id: 'halt-rollout', text: 'Rolled back to 5.1.3.' }] },
    });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({
      status: 'draft',
      version: 2,
      rootCause: 'A refactor of the token refresh in 5.2.0 dropped the client id on Android and iOS.',
      tasks: [{ title: 'Add a login contract test', owner: 'lee', status: 'open', dueDate: '2023-04-20' }],
      edits: [{ at: '2023-04-12T18:00:00.000Z', by: 'dana', fields: ['rootCause', 'measures', 'tasks'] }],
    });
    expect(edited.json.tasks[0].id).toMatch(/^task_/);
    expect(edited.json.measures.immediate).toEqual([{ id: 'halt-rollout', kind: 'immediate', text: 'Rolled back to 5.1.3.' }]);
    expect(edited.json.measures.preventive.length).toBeGreaterThan(0);

    const review = await call('PATCH', path, { by: 'lee', status: 'in_review' });
    expect(review.json).toMatchObject({ status: 'in_review', version: 3 });
    expect(review.json.edits[1]).toMatchObject({ by: 'lee', fields: ['status'] });

    clock.set(at('19:00'));
    const published = await call('POST', `${path}/publish`, { by: 'lee' });
    expect(published.json).toMatchObject({ status: 'published', publishedAt: '2023-04-12T19:00:00.000Z', version: 4 });
    expect((await call('POST', `${path}/publish`, { by: 'lee' })).json.version).toBe(4);

    const locked = await call('PATCH', path, { by: 'dana', summary: 'One more thing' });
    expect(locked.status).toBe(409);
    expect(locked.json.error.code).toBe('conflict');
    expect(locked.json.error.message).toContain('published and read-only');
    expect((await call('GET', `/v1/postmortems?status=published&app=${incident.app}`)).json.postmortems).toHaveLength(1);

    const reopened = await call('POST', `${path}/reopen`, { by: 'dana' });
    expect(reopened.json).toMatchObject({ status: 'in_review', publishedAt: null, version: 5 });
    expect((await call('PATCH', path, { by: 'dana', summary: 'One more thing' })).status).toBe(200);
  });

  it('when a reviewer edits from a stale version, then 409; when two edit at once, then both edits land', async () => {
    const { incident } = await resolvedSeed();
    const path = `/v1/incidents/${incident.id}/postmortem`;
    expect((await call('PATCH', path, { by: 'dana', title: 'Login outage on 5.2.0', version: 1 })).status).toBe(200);
    const stale = await call('PATCH', path, { by: 'lee', title: 'Other title', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.json.error.details).toEqual({ version: 2 });

    const [a, b] = await Promise.all([
      call('PATCH', path, { by: 'dana', summary: 'Summary by dana' }),
      call('PATCH', path, { by: 'lee', resolution: 'Resolution by lee' }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const final = (await call('GET', path)).json;
    expect(final).toMatchObject({ version: 4, summary: 'Summary by dana', resolution: 'Resolution by lee' });
    expect(final.edits.map((e: { by: string }) => e.by).sort()).toEqual(['dana', 'dana', 'lee']);
  });

  it.each([
    ['an unknown field', { by: 'dana', severity: 'minor' }, 'severity', 'unknown field'],
    ['a wrong type', { by: 'dana', summary: 42 }, 'summary', 'expected string'],
    ['oversized text', { by: 'dana', summary: 'x'.repeat(20_001) }, 'summary', '20000'],
    ['a bad task status', { by: 'dana', tasks: [{ title: 'T', status: 'later' }] }, 'tasks.0.status', ''],
    ['an unknown task field', { by: 'dana', tasks: [{ title: 'T', assignee: 'x' }] }, 'tasks.0.assignee', 'unknown field'],
    ['a bad due date', { by: 'dana', tasks: [{ title: 'T', dueDate: '19/04/2023' }] }, 'tasks.0.dueDate', 'YYYY-MM-DD'],
    ['a day that does not exist', { by: 'dana', tasks: [{ title: 'T', dueDate: '2026-02-30' }] }, 'tasks.0.dueDate', 'not a calendar date'],
    ['a due date past 2100', { by: 'dana', tasks: [{ title: 'T', dueDate: '2200-01-01' }] }, 'tasks.0.dueDate', '2100'],
    ['no author', { summary: 'text' }, 'by', ''],
    ['publishing through PATCH', { by: 'dana', status: 'published' }, 'status', 'POST …/postmortem/publish'],
    ['nothing to change', { by: 'dana' }, '(root)', 'give at least one of'],
  ])('when a PATCH has %s, then 400 names the field', async (_what, body, field, words) => {
    const { incident } = await resolvedSeed();
    const res = await call('PATCH', `/v1/incidents/${incident.id}/postmortem`, body);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('bad_request');
    expect(res.json.error.details[0].field).toBe(field);
    expect(`${res.json.error.details[0].message}`).toContain(words);
    expect((await call('GET', `/v1/incidents/${incident.id}/postmortem`)).json.version).toBe(1);
  });

  it('when the incident relapses and resolves again, then the draft is refreshed but the reviewers’ words are kept', async () => {
    const { incident, app } = await resolvedSeed();
    const path = `/v1/incidents/${incident.id}/postmortem`;
    await call('PATCH', path, { by: 'dana', rootCause: 'Token refresh bug in 5.2.0.' });
    clock.set(at('17:45'));
    await incidents.applySignals(app, [{ type: 'reopen', at: at('17:45'), finding: seedFinding }], at('17:45'));
    expect((await call('GET', path)).json.facts.resolvedAt).toBe('2023-04-12T17:30:00.000Z');
    clock.set(at('18:30'));
    await incidents.applySignals(app, [{ type: 'resolve', at: at('18:30'), finding: seedFinding }], at('18:30'));

    const pm = (await call('GET', path)).json;
    expect(pm.facts.resolvedAt).toBe('2023-04-12T18:30:00.000Z');
    expect(pm.rootCause).toBe('Token refresh bug in 5.2.0.');
    expect(pm.summary).toContain('For 4 h 30 min');
    expect(pm.timeline.map((e: { type: string }) => e.type).slice(-3)).toEqual(['resolved', 'detected', 'resolved']);
    expect(pm.edits.at(-1)).toMatchObject({ by: 'vigil', fields: ['facts', 'timeline', 'title', 'summary', 'resolution', 'measures', 'tasks'] });
    expect((await call('GET', `/v1/postmortems?app=${app}`)).json.postmortems).toHaveLength(1);
  });

  it('when called without the admin token, then 401', async () => {
    const res = await fetch(`${base}/v1/postmortems`);
    expect(res.status).toBe(401);
  });
});
