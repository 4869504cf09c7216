import type { RedisClient } from '../queue/connection';
import type { Clock } from '../clock';
import type { IncidentListener } from '../incidents/listener';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Queues } from '../queue/queues';
import type { Stores } from '../store/ports';
import { AckLinks } from './ack-link';
import { Deliverer, DELIVERY_TIMEOUT_MS } from './deliver';
import { Dispatcher } from './dispatch';
import { Escalator } from './escalation';
import { createNotifier } from './notifier';
import { OnceMarkers } from './once';
import { DeliveryOrder } from './order';
import type { ResolveAll } from './post';

export interface AlertingDeps {
  stores: Pick<Stores, 'channels' | 'silences' | 'incidents'>;
  queues: Pick<Queues, 'escalate' | 'enqueue'>;
  /** Any connection: holds the once-per-notification markers. */
  redis: RedisClient;
  /** REDIS_PREFIX: markers live under it like the queues. */
  redisPrefix: string;
  /** The resolved admin token: the ack-link key is derived from it. */
  adminToken: string;
  /** Config.publicUrl: the base of links in pages. */
  publicUrl: string;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  deliveryTimeoutMs?: number;
  /** Config.alertAllowPrivateTargets: whether channels may reach loopback, private and link-local addresses. */
  allowPrivateTargets: boolean;
  /** DNS for channel host names; tests play a rebinding DNS server with it. Default: the system resolver. */
  resolve?: ResolveAll;
}

export interface Alerting {
  /** Register with the incident service. */
  listener: IncidentListener;
  /** For createNotifyWorker. */
  deliverer: Deliverer;
  /** For createEscalateWorker. */
  escalator: Escalator;
  /** For ackLinkRouter. */
  ackLinks: AckLinks;
}

/** The alert pipeline, assembled: route + silence → queue → deliver; escalate; acknowledge links. */
export function createAlerting(deps: AlertingDeps): Alerting {
  const { stores, queues, clock, metrics } = deps;
  const logger = deps.logger.child({ component: 'alerts' });
  const markers = new OnceMarkers(deps.redis, deps.redisPrefix, clock);
  const timeoutMs = deps.deliveryTimeoutMs ?? DELIVERY_TIMEOUT_MS;
  const ackLinks = new AckLinks(deps.adminToken, deps.publicUrl, clock);
  const dispatcher = new Dispatcher({
    channels: stores.channels,
    silences: stores.silences,
    incidents: stores.incidents,
    jobs: queues,
    markers,
    clock,
    logger,
    metrics,
  });
  const escalator = new Escalator({
    jobs: queues,
    escalateQueue: queues.escalate,
    dispatcher,
    channels: stores.channels,
    incidents: stores.incidents,
    markers,
    clock,
    logger,
  });
  const deliverer = new Deliverer({
    channels: stores.channels,
    incidents: stores.incidents,
    markers,
    // A turn outlives the slowest POST, so it is only ever taken over from a worker that died holding it.
    order: new DeliveryOrder(deps.redis, deps.redisPrefix, timeoutMs + 5000),
    ackLinks,
    publicUrl: deps.publicUrl,
    allowPrivateTargets: deps.allowPrivateTargets,
    ...(deps.resolve ? { resolve: deps.resolve } : {}),
    clock,
    logger,
    metrics,
    timeoutMs,
  });
  return { listener: createNotifier({ dispatcher, escalator, clock }), deliverer, escalator, ackLinks };
}
