import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import type { Clock } from '../clock';
import { loadConfig, type Config } from '../config';
import { createLogger } from '../logger';
import { startService } from '../service';
import { findScenario, scenarioSpec, type ExpectedIncident, type Scenario } from '../simulate/scenarios';
import { HOUR, MINUTE, trafficMinutes, type ReleaseLine, type TrafficLine, type TrafficMinute } from '../simulate/traffic';

/**
 * `npm run demo`: the seed incident, replayed through a real Vigil in this process. App update 5.2.0 ships at 14:00
 * with a login bug; ~90% of its logins fail until the fix at 17:30. Simulated time runs a few hundred times faster than
 * the wall, so ingest's time window and the detector see the afternoon of 2023-04-12 pass in about a minute. Everything
 * lives under a temporary DATA_DIR and its own REDIS_PREFIX, both removed at the end: a real deployment is never touched.
 */

const SEED = findScenario('seed-incident') as Scenario;
const [SEED_INCIDENT] = SEED.incidents as [ExpectedIncident];
const RELEASE = Date.parse(SEED_INCIDENT.onset);
const FIX = Date.parse(SEED_INCIDENT.end);
const START = RELEASE - 2 * HOUR;
/** If the detector has not resolved it by then, the on-call engineer does, through the API. */
const MANUAL_RESOLVE = FIX + HOUR;
const BACKFILL_FROM = START - 24 * HOUR + 5 * MINUTE;
/** Simulated seconds per wall second: quick through quiet hours, slower around release, detection and fix. */
const FAST = 480;
const SLOW = 120;
const ONCALL = 'dana';
const BANNER = 'Some people on app version 5.2.0 cannot log in. A fix is on its way; no need to reinstall.';

/** Simulated time that runs `speed` times faster than the wall and changes pace without jumping. */
class WarpClock implements Clock {
  private simAt: number;
  private wallAt = Date.now();
  private speed = 0;

  constructor(start: number) {
    this.simAt = start;
  }

  now(): number {
    return this.simAt + (Date.now() - this.wallAt) * this.speed;
  }

  get pace(): number {
    return this.speed;
  }

  setPace(speed: number): void {
    this.simAt = this.now();
    this.wallAt = Date.now();
    this.speed = speed;
  }
}

// ---- traffic: the seed-incident scenario of `vigil simulate`, minute by minute ----

type Event = Exclude<TrafficLine, ReleaseLine>;

/**
 * The scenario's events from `from` up to (not including) `to`, pulled from one generator in time order: the
 * demo asks for consecutive ranges, so every minute is generated once. Its release lines are left out: the demo
 * registers the release through the API, as a CI job would.
 */
function trafficSource(): (from: number, to: number) => Event[] {
  const minutes = trafficMinutes(scenarioSpec(SEED));
  let pending: TrafficMinute | undefined;
  return (from, to) => {
    const events: Event[] = [];
    for (;;) {
      if (!pending) {
        const next = minutes.next();
        if (next.done) return events;
        pending = next.value;
      }
      if (pending.at >= to) return events;
      if (pending.at >= from) for (const line of pending.lines) if (line.type !== 'release') events.push(line);
      pending = undefined;
    }
  };
}

// ---- the API, as an SDK, a CI job and an on-call engineer would use it ----

interface IncidentView {
  id: string;
  status: 'open' | 'acknowledged' | 'resolved';
  title: string;
  startedAt: string;
  detectedAt: string;
  resolvedAt: string | null;
  suspectedCause: { dimension: string; value: string; share: number; release: { appVersion: string; releasedAt: string } | null } | null;
}

function client(base: string) {
  return async function call<T>(token: string, method: string, route: string, body?: unknown, accept = 'application/json'): Promise<T> {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route} → ${res.status}: ${text}`);
    return (accept === 'application/json' ? JSON.parse(text) : text) as T;
  };
}

// ---- the terminal ----

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const say = (line = '') => {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  process.stdout.write(`${line}\n`);
};
let lastPlainProgress = 0;
function progress(sim: number, pace: number, sent: number, incidents: string): void {
  const done = Math.min(1, Math.max(0, (sim - START) / (MANUAL_RESOLVE - START)));
  const bar = `${'█'.repeat(Math.round(done * 30))}${'░'.repeat(30 - Math.round(done * 30))}`;
  const line = `${bar} ${hhmm(sim)} UTC  ×${pace}  ${sent.toLocaleString('en-US')} events sent  incidents: ${incidents}`;
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
  else if (sim - lastPlainProgress >= 30 * MINUTE) {
    lastPlainProgress = sim;
    process.stderr.write(`${line}\n`);
  }
}

// ---- the run ----

/** Stands in for the on-call's pager: a local webhook receiver that prints each page as it arrives. */
async function startPager(clock: Clock): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const { event } = JSON.parse(body) as { event: string };
      say(`${hhmm(clock.now())}  Page received by the webhook: ${event}`);
      res.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pages`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function deleteRedisPrefix(config: Config): Promise<void> {
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redisPrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function run(config: Config, clock: WarpClock, interrupted: () => boolean): Promise<void> {
  const wallStart = Date.now();
  const service = await startService({ config, clock, mode: 'all', logger: createLogger('warn', process.stderr) });
  const pager = await startPager(clock);
  try {
    const call = client(service.url);
    const admin = service.adminToken;
    const app = await call<{ id: string; name: string; ingestKey: string }>(admin, 'POST', '/v1/apps', { name: 'shop-mobile' });
    say(`Vigil is running at ${service.url} (embedded store in ${config.dataDir}, Redis prefix ${config.redisPrefix}).`);
    say(`Created app ${app.name} (${app.id}) through POST /v1/apps.`);
    await call(admin, 'POST', '/v1/channels', { type: 'webhook', url: pager.url, apps: [app.id] }).then(
      () => say(`Pages go to a webhook channel at ${pager.url} (POST /v1/channels).`),
      (err: unknown) => say(`No alert channel, so nobody will be paged: ${err instanceof Error ? err.message : String(err)}`),
    );

    let sent = 0;
    const traffic = trafficSource();
    const send = async (from: number, to: number) => {
      const events = traffic(from, to);
      for (let i = 0; i < events.length; i += 1000) {
        const batch = events.slice(i, i + 1000);
        const res = await call<{ accepted: number; rejected: unknown[] }>(app.ingestKey, 'POST', '/v1/events', { events: batch });
        if (res.rejected.length > 0) throw new Error(`events rejected: ${JSON.stringify(res.rejected.slice(0, 3))}`);
        sent += res.accepted;
      }
    };

    say(`Backfilling normal traffic from ${new Date(BACKFILL_FROM).toISOString()} to 12:00 (clock paused)…`);
    await send(BACKFILL_FROM, START);
    say(`Replaying 2023-04-12 from 12:00 UTC. 5.2.0 ships at 14:00 and is fixed at 17:30.\n`);

    let sentUntil = START;
    let releaseRegistered = false;
    let incident: IncidentView | null = null;
    let acknowledged = false;
    let lastPoll = 0;
    clock.setPace(FAST);
    while (!interrupted()) {
      const now = clock.now();
      const complete = Math.floor(now / MINUTE) * MINUTE;
      if (complete > sentUntil) {
        await send(sentUntil, complete);
        sentUntil = complete;
      }
      if (!releaseRegistered && now >= RELEASE) {
        await call(app.ingestKey, 'POST', '/v1/releases', { appVersion: '5.2.0', releasedAt: new Date(RELEASE).toISOString(), notes: 'Login screen redesign' });
        releaseRegistered = true;
        say(`${hhmm(now)}  Release 5.2.0 registered through POST /v1/releases (released 14:00). Its users start failing to log in.`);
      }
      if (Date.now() - lastPoll > 400) {
        lastPoll = Date.now();
        const { incidents } = await call<{ incidents: IncidentView[] }>(admin, 'GET', `/v1/incidents?app=${app.id}`);
        const first = incidents.at(-1) ?? null;
        if (first && !incident) announce(first, now);
        incident = first;
      }
      if (incident && !acknowledged && now >= Date.parse(incident.detectedAt) + 10 * MINUTE) {
        await call(admin, 'POST', `/v1/incidents/${incident.id}/ack`, { by: ONCALL });
        await call(admin, 'POST', `/v1/incidents/${incident.id}/notes`, { by: ONCALL, text: 'Servers healthy; failures are all on 5.2.0. Halting the rollout.' });
        await call(admin, 'PATCH', `/v1/incidents/${incident.id}`, { by: ONCALL, publicMessage: BANNER });
        acknowledged = true;
        say(`${hhmm(now)}  Acknowledged by ${ONCALL} (on call) through POST /v1/incidents/${incident.id}/ack, with a note.`);
        const banner = await call<{ status: string; incidents: Array<{ title: string; message: string }> }>(app.ingestKey, 'GET', '/v1/status');
        const shown = banner.incidents[0];
        say(`${hhmm(now)}  Users told in the app: GET /v1/status → ${banner.status}: “${shown?.title}” ${shown?.message}`);
      }
      if (incident?.status === 'resolved') {
        say(`${hhmm(now)}  The detector saw logins back to baseline and resolved the incident at ${hhmm(Date.parse(incident.resolvedAt ?? ''))} UTC.`);
        break;
      }
      if (incident && now >= MANUAL_RESOLVE) {
        await call(admin, 'POST', `/v1/incidents/${incident.id}/resolve`, { by: ONCALL, note: 'Fixed build 5.2.1 rolled out at 17:30' });
        incident = { ...incident, status: 'resolved' };
        say(`${hhmm(now)}  Not auto-resolved yet: resolved by ${ONCALL} through POST /v1/incidents/${incident.id}/resolve.`);
        break;
      }
      if (!incident && now >= MANUAL_RESOLVE) throw new Error('the detector opened no incident for the seed scenario');
      const calm = incident === null ? now < RELEASE - 5 * MINUTE || now > RELEASE + 40 * MINUTE : now < FIX - 5 * MINUTE;
      if (clock.pace !== (calm ? FAST : SLOW)) clock.setPace(calm ? FAST : SLOW);
      progress(now, clock.pace, sent, incident ? `1 ${incident.status}` : 'none');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!incident || interrupted()) return;

    clock.setPace(0);
    const markdown = await call<string>(admin, 'GET', `/v1/incidents/${incident.id}/postmortem`, undefined, 'text/markdown');
    say('\nThe postmortem draft Vigil wrote (GET /v1/incidents/:id/postmortem, Accept: text/markdown):\n');
    say('─'.repeat(100));
    say(markdown.trimEnd());
    say('─'.repeat(100));
    say(`\nDemo finished in ${Math.round((Date.now() - wallStart) / 1000)} s (wall), ${sent.toLocaleString('en-US')} events sent.`);
    say(outro(incident.id));
  } finally {
    await service.stop();
    await pager.close();
  }
}

function announce(incident: IncidentView, now: number): void {
  const started = Date.parse(incident.startedAt);
  const detected = Date.parse(incident.detectedAt);
  const cause = incident.suspectedCause;
  say(`${hhmm(now)}  Incident opened: ${incident.title}`);
  say(`        culprit:   ${cause ? `${cause.dimension} ${cause.value} (${Math.round(cause.share * 100)}% of the excess failures)` : 'no single slice'}`);
  say(`        release:   ${cause?.release ? `${cause.release.appVersion} at ${cause.release.releasedAt}` : 'none matched'}`);
  say(`        started:   ${incident.startedAt} (estimated)`);
  say(`        detected:  ${incident.detectedAt} — ${Math.round((detected - started) / MINUTE)} min after it started`);
}

function outro(incidentId: string): string {
  return [
    '',
    'The demo’s service has stopped and its data is removed. To explore the same API on a live service:',
    '',
    '  ADMIN_TOKEN=change-me-to-a-long-secret npm start      # in another terminal',
    '  export VIGIL=http://localhost:8080 AUTH="Authorization: Bearer change-me-to-a-long-secret"',
    '  curl -s -H "$AUTH" "$VIGIL/v1/incidents?status=resolved"',
    `  curl -s -H "$AUTH" -H 'Accept: text/markdown' "$VIGIL/v1/incidents/<incident id, like ${incidentId}>/postmortem"`,
    `  curl -s -H "$AUTH" -X PATCH -H 'Content-Type: application/json' -d '{"by":"you","status":"in_review"}' "$VIGIL/v1/incidents/<id>/postmortem"`,
    `  curl -s -H "$AUTH" -X POST -H 'Content-Type: application/json' -d '{"by":"you"}' "$VIGIL/v1/incidents/<id>/postmortem/publish"`,
    '  curl -s -H "$AUTH" "$VIGIL/v1/postmortems?status=published"',
  ].join('\n');
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-demo-'));
  // Never a real deployment: no MongoDB, no shared admin token, a data directory and Redis prefix of our own.
  const config = loadConfig({
    ...process.env,
    MONGODB_URL: undefined,
    ADMIN_TOKEN: undefined,
    PUBLIC_URL: undefined,
    DETECTOR_CONFIG: undefined,
    DATA_DIR: dataDir,
    REDIS_PREFIX: `vigil-demo-${randomBytes(4).toString('hex')}`,
    PORT: '0',
    HOST: '127.0.0.1',
    DETECT_EVERY_SECONDS: '1',
    // The demo's pager is a receiver on 127.0.0.1, which channels may only reach with this on.
    ALERT_ALLOW_PRIVATE_TARGETS: 'true',
  });
  let stop = false;
  process.once('SIGINT', () => {
    stop = true;
    say('\nInterrupted: stopping the service and cleaning up…');
  });
  try {
    await run(config, new WarpClock(START), () => stop);
  } finally {
    await deleteRedisPrefix(config).catch((err: unknown) => say(`could not clean Redis prefix ${config.redisPrefix}: ${String(err)}`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    say(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
