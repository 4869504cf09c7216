import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import { Registry } from 'prom-client';
import { KeyResolver } from '../../src/apps/key-resolver';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { Finding, Signal } from '../../src/domain/detector/signals';
import type { Incident } from '../../src/domain/types';
import { createHttpApp } from '../../src/http/app';
import { createAuth, type Auth } from '../../src/http/auth';
import type { IncidentEventName, IncidentListener } from '../../src/incidents/listener';
import { IncidentService } from '../../src/incidents/service';
import { createLogger } from '../../src/logger';
import { createMetrics, type Metrics } from '../../src/metrics';
import { openStores } from '../../src/store';
import type { Stores } from '../../src/store/ports';
import { makeTempDir } from '../support/tmp';
import { MINUTE_MS as MIN } from '../../src/domain/time';
export { MIN };

export const T0 = Date.UTC(2024, 3, 12, 14, 0, 0);

export const uniqueApp = (): string => `app_${randomBytes(5).toString('hex')}`;

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    kind: 'error_rate',
    fingerprint: 'error_rate:appVersion=5.2.0',
    severity: 'major',
    startedAt: T0 - 5 * MIN,
    impact: { errorRate: 0.38, baselineErrorRate: 0.015, failedLogins: 5000, affectedUsers: 4000, affectedUserPct: 0.4 },
    suspectedCause: { dimension: 'appVersion', value: '5.2.0', share: 0.97, release: { appVersion: '5.2.0', releasedAt: T0 - 20 * MIN } },
    ...over,
  };
}

export const signal = (type: Signal['type'], at: number, over: Partial<Finding> = {}): Signal => ({ type, at, finding: finding(over) });

export interface Told {
  event: IncidentEventName;
  id: string;
  status: Incident['status'];
}

/** A real embedded store in a temp dir, the incident service over it, and a listener that records what it is told. */
export interface IncidentHarness {
  stores: Stores;
  service: IncidentService;
  clock: ManualClock;
  metrics: Metrics;
  told: Told[];
  /** Listeners tried before the recorder; tests push failing ones here. */
  extraListeners: IncidentListener[];
  close(): Promise<void>;
}

export async function incidentHarness(name: string): Promise<IncidentHarness> {
  const tmp = makeTempDir(name);
  const logger = createLogger('silent');
  const stores = await openStores(loadConfig({ DATA_DIR: tmp.dir }), logger);
  const clock = new ManualClock(T0);
  const metrics = createMetrics(new Registry(), { defaultMetrics: false });
  const told: Told[] = [];
  const extraListeners: IncidentListener[] = [];
  const service = new IncidentService({
    incidents: stores.incidents,
    listeners: [
      async (event, incident) => {
        for (const listener of extraListeners) await listener(event, incident);
      },
      async (event, incident) => {
        told.push({ event, id: incident.id, status: incident.status });
      },
    ],
    clock,
    logger,
    metrics,
  });
  return {
    stores,
    service,
    clock,
    metrics,
    told,
    extraListeners,
    close: async () => {
      await stores.close();
      tmp.remove();
    },
  };
}

/** An express app on an ephemeral port, as the entry points build it, with only the routers under test. */
export async function serve(h: IncidentHarness, routers: (auth: Auth) => Router[]): Promise<{ url: string; close(): Promise<void> }> {
  const auth = createAuth(ADMIN_TOKEN, new KeyResolver(h.stores.apps, h.clock));
  const server = createHttpApp({ logger: createLogger('silent'), metrics: h.metrics, routers: routers(auth) }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** fetch with a bearer token (the admin's unless told otherwise) and an optional JSON body. */
export function call(url: string, init: { method?: string; token?: string | null; json?: unknown; headers?: Record<string, string> } = {}) {
  const { token = ADMIN_TOKEN, json, headers = {}, method = json === undefined ? 'GET' : 'POST' } = init;
  return fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
}
