import { hostFetch, type FetchLike } from './platform.js';
import type { StorageAdapter } from './storage.js';
import { PLATFORMS, type LoginEvent, type Platform, type VigilError } from './types.js';

export interface VigilOptions {
  /** Base URL of the Vigil service, e.g. `https://vigil.example.com`. */
  endpoint: string;
  /** The app's ingest key (`vk_…`): it can send telemetry and read the app's status, nothing else. */
  ingestKey: string;
  /** Sent with every event. Values outside `A-Z a-z 0-9 . _ + : -` become `_`, and are cut at 64 characters. */
  app: { version: string; platform: Platform; osVersion?: string; region?: string };
  /** AsyncStorage-shaped; default: none, the queue lives in memory (events do not survive a restart). */
  storage?: StorageAdapter;
  /** How often queued events are sent, in ms. Default 10000. */
  flushIntervalMs?: number;
  /** Events per request, 1-1000; a full batch is sent at once. Default 200. */
  maxBatchSize?: number;
  /** Bound of the queue; beyond it the oldest events are dropped and counted. Default 10000 (at most 100000). */
  maxQueuedEvents?: number;
  /** Told about every event lost for good (dropped, refused, rejected) and storage failures. Default: console.warn. */
  onError?: (error: VigilError) => void;
  /** Hash user ids on the device (SHA-256 with `userIdSalt`). `false` for apps whose ids are already opaque. Default true. */
  hashUserIds?: boolean;
  /** The salt of user-id hashes. Default: the ingest key (so hashes change when the key is rotated: set one to avoid it). */
  userIdSalt?: string;
  /** How often the in-app status is polled in the foreground, in ms; 0 turns polling off. Default 30000. */
  statusIntervalMs?: number;
  /** The same in the background (see `setAppState`). Default 300000. */
  backgroundStatusIntervalMs?: number;
  /** Storage key of the queue: give two instances on one storage different keys. Default `vigil:queue`. */
  storageKey?: string;
  /** gzip request bodies where the platform has CompressionStream. Default true. */
  compress?: boolean;
  /** A request that takes longer is abandoned and retried. Default 30000. */
  timeoutMs?: number;
  /** Default: the platform's fetch. */
  fetch?: FetchLike;
}

export interface Settings {
  endpoint: string;
  ingestKey: string;
  app: Pick<LoginEvent, 'appVersion' | 'platform' | 'osVersion' | 'region'>;
  storage: StorageAdapter | undefined;
  flushIntervalMs: number;
  maxBatchSize: number;
  maxQueuedEvents: number;
  onError: (error: VigilError) => void;
  hashUserIds: boolean;
  userIdSalt: string;
  statusIntervalMs: number;
  backgroundStatusIntervalMs: number;
  storageKey: string;
  compress: boolean;
  timeoutMs: number;
  fetch: FetchLike;
}

/** The service's slice values (app version, OS version, region, error code): 1-64 of `A-Z a-z 0-9 . _ + : -`. */
export function sliceValue(raw: string): string {
  return raw
    .replace(/[^A-Za-z0-9._+:-]/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
}

/** A user id sent as it is: the service takes 1-256 characters and no control characters. */
export function rawUserId(raw: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return raw.replace(/[\x00-\x1f\x7f]/g, '').slice(0, 256);
}

const fail = (message: string): never => {
  throw new TypeError(`@vigil/sdk: ${message}`);
};

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be an integer from ${min} to ${max} (got ${String(value)})`);
  }
  return value;
}

function optionalSlice(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(`${name} must be a string`);
  return sliceValue(value) || undefined;
}

const warn = (error: VigilError) => {
  (globalThis as { console?: { warn(...args: unknown[]): void } }).console?.warn(`[vigil] ${error.kind}: ${error.message}`);
};

/** Checks createVigil's options once, naming the field at fault, and fills in the defaults. */
export function resolveOptions(o: VigilOptions): Settings {
  if (typeof o !== 'object' || o === null) fail('createVigil needs an options object');
  if (typeof o.endpoint !== 'string' || !/^https?:\/\/[^\s/?#]+/.test(o.endpoint)) {
    fail(`endpoint must be an http(s) URL (got ${JSON.stringify(o.endpoint)})`);
  }
  if (typeof o.ingestKey !== 'string' || o.ingestKey.trim() === '') fail('ingestKey is required');
  if (typeof o.app !== 'object' || o.app === null) fail('app is required: {version, platform, osVersion?, region?}');
  const appVersion = typeof o.app.version === 'string' ? sliceValue(o.app.version) : '';
  if (!appVersion) fail(`app.version is required (got ${JSON.stringify(o.app.version)})`);
  if (!PLATFORMS.includes(o.app.platform)) fail(`app.platform must be one of ${PLATFORMS.join('|')} (got ${JSON.stringify(o.app.platform)})`);
  const storage = o.storage;
  if (storage !== undefined && !['getItem', 'setItem', 'removeItem'].every((m) => typeof (storage as unknown as Record<string, unknown>)[m] === 'function')) {
    fail('storage must have getItem, setItem and removeItem (AsyncStorage-shaped)');
  }
  const maxBatchSize = integer('maxBatchSize', o.maxBatchSize, 200, 1, 1000);
  const statusIntervalMs = o.statusIntervalMs === 0 ? 0 : integer('statusIntervalMs', o.statusIntervalMs, 30_000, 5_000, 3_600_000);
  const osVersion = optionalSlice('app.osVersion', o.app.osVersion);
  const region = optionalSlice('app.region', o.app.region);
  return {
    endpoint: o.endpoint.replace(/\/+$/, ''),
    ingestKey: o.ingestKey.trim(),
    app: {
      appVersion,
      platform: o.app.platform,
      ...(osVersion ? { osVersion } : {}),
      ...(region ? { region } : {}),
    },
    storage,
    flushIntervalMs: integer('flushIntervalMs', o.flushIntervalMs, 10_000, 100, 3_600_000),
    maxBatchSize,
    maxQueuedEvents: integer('maxQueuedEvents', o.maxQueuedEvents, Math.max(10_000, maxBatchSize), maxBatchSize, 100_000),
    onError: typeof o.onError === 'function' ? o.onError : warn,
    hashUserIds: o.hashUserIds !== false,
    userIdSalt: typeof o.userIdSalt === 'string' ? o.userIdSalt : o.ingestKey.trim(),
    statusIntervalMs,
    backgroundStatusIntervalMs: integer(
      'backgroundStatusIntervalMs',
      o.backgroundStatusIntervalMs,
      Math.max(300_000, statusIntervalMs),
      Math.max(statusIntervalMs, 5_000),
      86_400_000,
    ),
    storageKey: typeof o.storageKey === 'string' && o.storageKey !== '' ? o.storageKey : 'vigil:queue',
    compress: o.compress !== false,
    timeoutMs: integer('timeoutMs', o.timeoutMs, 30_000, 100, 300_000),
    fetch: typeof o.fetch === 'function' ? o.fetch : hostFetch,
  };
}
