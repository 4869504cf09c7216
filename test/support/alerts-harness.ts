import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { createAlerting, type Alerting, type AlertingDeps } from '../../src/alerts';
import { generateIngestKey } from '../../src/apps/keys';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { Finding } from '../../src/domain/detector/signals';
import type { Channel, Incident } from '../../src/domain/types';
import { IncidentService } from '../../src/incidents/service';
import { createLogger } from '../../src/logger';
import { createMetrics, type Metrics } from '../../src/metrics';
import { createQueues, type Queues } from '../../src/queue/queues';
import { openStores } from '../../src/store';
import type { Stores } from '../../src/store/ports';
import { createEscalateWorker } from '../../workers/escalate';
import { createNotifyWorker } from '../../workers/notify';
import { deletePrefix, testPrefix, TEST_REDIS_URL } from './redis';
import { makeTempDir } from './tmp';

export const ADMIN_TOKEN = 'alerts-test-admin-token-0123456789';

/** What a receiver saw of one POST. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { event: string; dedupKey: string; level?: number; incident: { id: string; status: string }; ackUrl: string };
  at: number;
}

/** `delayMs`: answer that much later, as a slow receiver would; 'hold': never answer. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | 'hold';

/** A real HTTP endpoint on port 0 that answers as the test scripts it (`respond` sees each request and its index). */
export async function startReceiver(respond: (req: Received, index: number) => Reply = () => ({ status: 200 })) {
  const received: Received[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry: Received = { headers: req.headers, body, json: JSON.parse(body) as Received['json'], at: Date.now() };
      received.push(entry);
      const reply = respond(entry, received.length - 1);
      if (reply === 'hold') return void held.push(res);
      const answer = () => res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
      if (reply.delayMs === undefined) answer();
      else setTimeout(answer, reply.delayMs);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/vigil`,
    received,
    /** Requests of one incident and event. */
    of: (incidentId: string, event: string) => received.filter((r) => r.json.incident.id === incidentId && r.json.event === event),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Receivers a test file starts as it goes, closed together in its afterAll. */
export function receiverPool() {
  const started: Receiver[] = [];
  return {
    start: async (...args: Parameters<typeof startReceiver>) => {
      const r = await startReceiver(...args);
      started.push(r);
      return r;
    },
    closeAll: async () => {
      await Promise.all(started.map((r) => r.close()));
    },
  };
}

/** Generous by default: the machine running the suite may be shared and slow; a passing check returns at once. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function finding(fingerprint = 'error_rate:appVersion=5.2.0'): Finding {
  return {
    kind: 'error_rate',
    fingerprint,
    severity: 'critical',
    startedAt: Date.now() - 5 * 60_000,
    impact: { errorRate: 0.38, baselineErrorRate: 0.015, failedLogins: 5230, affectedUsers: 4100, affectedUserPct: 0.4 },
    suspectedCause: { dimension: 'appVersion', value: '5.2.0', share: 0.97, release: { appVersion: '5.2.0', releasedAt: Date.now() - 20 * 60_000 } },
  };
}

/**
 * The alert pipeline as production wires it, on real Redis (a prefix of its own), the real embedded store in a temp
 * dir and the real incident service: incidents open through signals, the notifier hears of them, workers deliver.
 */
export interface AlertsHarness {
  prefix: string;
  dataDir: string;
  stores: Stores;
  queues: Queues;
  redis: Redis;
  alerting: Alerting;
  service: IncidentService;
  metrics: Metrics;
  /** Starts the notify and escalate workers in this process. */
  startWorkers(): void;
  createApp(): Promise<string>;
  createChannel(over: Partial<Channel> & Pick<Channel, 'url'>): Promise<Channel>;
  /** Opens an incident through the incident service (which tells the notifier). */
  open(app: string, fingerprint?: string): Promise<Incident>;
  incident(id: string): Promise<Incident>;
  close(): Promise<void>;
}

/**
 * `allowPrivateTargets` defaults to true because receivers listen on 127.0.0.1; the SSRF tests turn it off, may
 * answer DNS themselves (`resolve`) and read the log (`logger`).
 */
export async function alertsHarness(
  name: string,
  opts: Partial<Pick<AlertingDeps, 'resolve' | 'allowPrivateTargets' | 'logger'>> = {},
): Promise<AlertsHarness> {
  const tmp = makeTempDir(name);
  const prefix = testPrefix(name);
  const logger = opts.logger ?? createLogger('silent');
  const stores = await openStores(loadConfig({ DATA_DIR: tmp.dir }), logger);
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queues = createQueues(redis, prefix, logger);
  const metrics = createMetrics(new Registry(), { defaultMetrics: false });
  const alerting = createAlerting({
    stores,
    queues,
    redis,
    redisPrefix: prefix,
    adminToken: ADMIN_TOKEN,
    publicUrl: 'http://vigil.test',
    allowPrivateTargets: opts.allowPrivateTargets ?? true,
    ...(opts.resolve ? { resolve: opts.resolve } : {}),
    clock: systemClock,
    logger,
    metrics,
    deliveryTimeoutMs: 5000,
  });
  const service = new IncidentService({ incidents: stores.incidents, listeners: [alerting.listener], clock: systemClock, logger, metrics });
  const workers: Worker[] = [];
  const connections: Redis[] = [redis];
  const connection = () => {
    const c = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    connections.push(c);
    return c;
  };
  let apps = 0;
  return {
    prefix,
    dataDir: tmp.dir,
    stores,
    queues,
    redis,
    alerting,
    service,
    metrics,
    startWorkers() {
      workers.push(createNotifyWorker({ connection: connection(), prefix, deliverer: alerting.deliverer, logger, metrics }));
      workers.push(createEscalateWorker({ connection: connection(), prefix, escalator: alerting.escalator, logger, metrics }));
    },
    async createApp() {
      const now = Date.now();
      const key = generateIngestKey(now);
      return (await stores.apps.create({ name: `${name}-${++apps}`, key, createdAt: now })).id;
    },
    createChannel(over) {
      return stores.channels.create({
        type: 'webhook',
        secret: null,
        routingKey: null,
        apps: null,
        minSeverity: 'minor',
        escalateAfterMinutes: null,
        createdAt: Date.now(),
        ...over,
      });
    },
    async open(app, fingerprint) {
      const f = finding(fingerprint);
      await service.applySignals(app, [{ type: 'open', at: Date.now(), finding: f }], Date.now());
      const incident = await stores.incidents.findOpen(app, f.fingerprint);
      if (!incident) throw new Error('incident did not open');
      return incident;
    },
    async incident(id) {
      const incident = await stores.incidents.get(id);
      if (!incident) throw new Error(`no incident ${id}`);
      return incident;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      await Promise.all(connections.map((c) => c.quit()));
      await stores.close();
      await deletePrefix(prefix);
      tmp.remove();
    },
  };
}
