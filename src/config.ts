import path from 'node:path';
import { z } from 'zod';

/**
 * The only place that reads `process.env`. Everything else receives a frozen, typed Config,
 * so a bad value fails at start-up with a readable message instead of at 3 a.m. in a worker.
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** An origin as browsers send it in `Origin`: scheme://host[:port], lower case, no path, default port left out. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** `*`, or a comma-separated list of origins allowed to call the SDK routes from a browser. */
const CorsOrigins = z.string().transform((value, ctx): '*' | string[] => {
  if (value.trim() === '*') return '*';
  const origins = value
    .split(',')
    .map((o) => o.trim().toLowerCase())
    .filter((o) => o !== '');
  for (const origin of origins) {
    if (!isOrigin(origin)) {
      ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin: scheme://host[:port], without path or trailing slash (or * alone)` });
    }
  }
  if (origins.length > 100) ctx.addIssue({ code: 'custom', message: 'at most 100 origins' });
  return origins;
});

export interface SliceValueLimits {
  readonly appVersion: number;
  readonly osVersion: number;
  readonly region: number;
  readonly errorCode: number;
}

/** Room for every version a staged rollout keeps alive, far below what a client can invent (see Config). */
export const DEFAULT_SLICE_VALUE_LIMITS: SliceValueLimits = Object.freeze({ appVersion: 200, osVersion: 100, region: 50, errorCode: 100 });

const valueLimit = (fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(10_000).default(fallback));
/** `host:port,host:port`: the seeds of a Redis Cluster (ioredis discovers the other nodes from them). */
const ClusterNodes = z.string().transform((value, ctx): Array<{ host: string; port: number }> => {
  const nodes = value
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const parsed = nodes.flatMap((node) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(node);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `"${node}" is not host:port` });
      return [];
    }
    return [{ host: match[1]!.replace(/^\[|\]$/g, ''), port }];
  });
  if (nodes.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one host:port' });
  if (nodes.length > 100) ctx.addIssue({ code: 'custom', message: 'at most 100 seed nodes' });
  return parsed;
});

const EnvSchema = z.object({
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(8080)),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
  WORKER_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(9464)),
  REDIS_URL: z.preprocess(
    emptyAsUndefined,
    z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
  ),
  REDIS_PREFIX: z.preprocess(
    emptyAsUndefined,
    z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only (1-64 chars)').default('vigil'),
  ),
  MONGODB_URL: z.preprocess(
    emptyAsUndefined,
    z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  ADMIN_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  DETECT_EVERY_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(3600).default(10)),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(LOG_LEVELS).default('info')),
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.string().url().optional()),
  DETECTOR_CONFIG: z.preprocess(emptyAsUndefined, z.string().optional()),
  INGEST_RATE_PER_SECOND: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(2000)),
  STATUS_RATE_PER_SECOND: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(2000)),
  AUTH_FAILURES_PER_MINUTE: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(300)),
  ALERT_ALLOW_PRIVATE_TARGETS: z.preprocess(emptyAsUndefined, z.enum(['true', 'false'], 'must be true or false').default('false')),
  SESSION_IDLE_MINUTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(7 * 24 * 60).default(60)),
  SESSION_MAX_HOURS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(30 * 24).default(12)),
  CORS_ORIGINS: z.preprocess(emptyAsUndefined, CorsOrigins.optional()),
  MAX_APP_VERSIONS: valueLimit(DEFAULT_SLICE_VALUE_LIMITS.appVersion),
  MAX_OS_VERSIONS: valueLimit(DEFAULT_SLICE_VALUE_LIMITS.osVersion),
  MAX_REGIONS: valueLimit(DEFAULT_SLICE_VALUE_LIMITS.region),
  MAX_ERROR_CODES: valueLimit(DEFAULT_SLICE_VALUE_LIMITS.errorCode),
  INGEST_MAX_IN_FLIGHT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(100_000).default(128)),
  INGEST_SHED_BACKLOG: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(10_000_000).default(10_000)),
  INGEST_SHED_REDIS_MEMORY_PERCENT: z.preprocess(emptyAsUndefined, z.coerce.number().min(0).max(100).default(80)),
  REDIS_CLUSTER_NODES: z.preprocess(emptyAsUndefined, ClusterNodes.optional()),
  REDIS_COMMAND_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(50).max(60_000).default(500)),
});

/** Every variable Vigil reads: deployment files are checked against it (test/integration/deploy.test.ts). */
export const ENV_VARS: readonly string[] = Object.keys(EnvSchema.shape);

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Health and metrics listener of `worker` mode, apart from PORT so API and worker can share a machine. */
  readonly workerPort: number;
  readonly redisUrl: string;
  /** Seeds of a Redis Cluster; set, the cluster replaces REDIS_URL for counters, queues, sessions and limits. */
  readonly redisClusterNodes: ReadonlyArray<{ readonly host: string; readonly port: number }> | undefined;
  readonly redisPrefix: string;
  readonly mongodbUrl: string | undefined;
  readonly dataDir: string;
  readonly adminToken: string | undefined;
  readonly detectEverySeconds: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** Base URL used in links sent out in pages (acknowledge links). Defaults to http://localhost:PORT. */
  readonly publicUrl: string;
  /** Path of a JSON file overriding config/detector.json (partial: only the keys to change). */
  readonly detectorConfig: string | undefined;
  /** Requests per second one ingest key may make before 429s; a guard against runaway clients, not traffic shaping. */
  readonly ingestRatePerSecond: number;
  /** GET /v1/status requests per second per ingest key (devices poll it; answers come from a cache). */
  readonly statusRatePerSecond: number;
  /** Failed authentications per client address and minute before that address gets 429s instead of 401s. */
  readonly authFailuresPerMinute: number;
  /**
   * Whether alert channels may deliver to loopback, private, link-local and other non-public addresses. Off by default:
   * whoever can create a channel could otherwise make Vigil POST into its own network (SSRF).
   */
  readonly alertAllowPrivateTargets: boolean;
  /** A dashboard session ends after this long without a request… */
  readonly sessionIdleMs: number;
  /** …and at the latest this long after sign-in, however busy: a stolen cookie is not good forever. */
  readonly sessionMaxMs: number;
  /** Origins whose pages may call the SDK routes (`*`: any); undefined: no CORS headers at all. */
  readonly corsOrigins: '*' | readonly string[] | undefined;
  /**
   * Distinct values each app may count per dimension and hour; later values of that hour are counted as `other`.
   * Slice values come from app binaries anyone can call with: without a bound, Redis keys and detector work grow
   * with whatever a client invents. Platforms are an enum and need no bound.
   */
  readonly sliceValueLimits: SliceValueLimits;
  /**
   * How long a command on the API's fail-fast Redis connection may wait for its answer. A frozen Redis (paused, swapping,
   * a half-open TCP connection) never closes the socket, so without it a request would hang until the client gives up.
   */
  readonly redisCommandTimeoutMs: number;
  /**
   * Marks past which POST /v1/events answers 503 + Retry-After before reading the body (src/http/shed.ts): requests
   * in flight in this process, waiting ingest jobs, Redis memory in percent of maxmemory. 0 turns a mark off.
   */
  readonly ingestShed: { readonly maxInFlight: number; readonly backlog: number; readonly redisMemoryPercent: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`),
    );
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    workerPort: e.WORKER_PORT,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES && Object.freeze(e.REDIS_CLUSTER_NODES.map((n) => Object.freeze(n))),
    redisPrefix: e.REDIS_PREFIX,
    mongodbUrl: e.MONGODB_URL,
    dataDir: path.resolve(e.DATA_DIR),
    adminToken: e.ADMIN_TOKEN,
    detectEverySeconds: e.DETECT_EVERY_SECONDS,
    logLevel: e.LOG_LEVEL,
    detectorConfig: e.DETECTOR_CONFIG,
    ingestRatePerSecond: e.INGEST_RATE_PER_SECOND,
    statusRatePerSecond: e.STATUS_RATE_PER_SECOND,
    authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
    alertAllowPrivateTargets: e.ALERT_ALLOW_PRIVATE_TARGETS === 'true',
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    ingestShed: Object.freeze({
      maxInFlight: e.INGEST_MAX_IN_FLIGHT,
      backlog: e.INGEST_SHED_BACKLOG,
      redisMemoryPercent: e.INGEST_SHED_REDIS_MEMORY_PERCENT,
    }),
    corsOrigins: Array.isArray(e.CORS_ORIGINS) ? Object.freeze(e.CORS_ORIGINS) : e.CORS_ORIGINS,
    sliceValueLimits: Object.freeze({
      appVersion: e.MAX_APP_VERSIONS,
      osVersion: e.MAX_OS_VERSIONS,
      region: e.MAX_REGIONS,
      errorCode: e.MAX_ERROR_CODES,
    }),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
  });
}
