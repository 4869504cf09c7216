/**
 * The few host features the SDK uses, typed here instead of through DOM or Node types: React Native (Hermes) has
 * neither, and each feature is looked up when it is used because some runtimes lack it (`crypto.subtle` and
 * `CompressionStream` on Hermes, `TextEncoder` on old Hermes, `AbortController` on very old React Native).
 */
export interface HeadersLike {
  get(name: string): string | null;
}

export interface ResponseLike {
  readonly status: number;
  readonly headers: HeadersLike;
  text(): Promise<string>;
}

export interface RequestInitLike {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal?: unknown;
  keepalive?: boolean;
}

/** The shape of the platform's `fetch` the SDK relies on; an app may hand in its own (pinned certificates, proxies). */
export type FetchLike = (url: string, init: RequestInitLike) => Promise<ResponseLike>;

/** Time, timers and chance: the host's own in apps, injected by tests so that nothing really waits. */
export interface Runtime {
  now(): number;
  /** `background`: a chore that must not keep a Node process alive on its own (periodic flush, status polling). */
  setTimeout(callback: () => void, ms: number, background?: boolean): unknown;
  clearTimeout(handle: unknown): void;
  /** Uniform in [0, 1): the jitter of retry delays. */
  random(): number;
}

export interface SubtleLike {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
}

/** Synchronous Web Storage (`window.localStorage`). */
export interface SyncStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

interface HostGlobals {
  fetch?: FetchLike;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  crypto?: {
    subtle?: SubtleLike;
    randomUUID?: () => string;
    getRandomValues?: (array: Uint8Array) => Uint8Array;
  };
  TextEncoder?: new () => { encode(text: string): Uint8Array };
  CompressionStream?: new (format: 'gzip') => object;
  Response?: new (body: unknown) => {
    readonly body: { pipeThrough(transform: object): unknown } | null;
    arrayBuffer(): Promise<ArrayBuffer>;
  };
  AbortController?: new () => { readonly signal: unknown; abort(): void };
  localStorage?: SyncStorage;
}

export const host = globalThis as unknown as HostGlobals;

export const hostRuntime: Runtime = {
  now: () => Date.now(),
  setTimeout: (callback, ms, background = false) => {
    const handle = host.setTimeout(callback, ms) as { unref?: () => void } | number;
    if (background && typeof handle === 'object') handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => host.clearTimeout(handle),
  random: () => Math.random(),
};

/** The platform's fetch, looked up at call time: React Native and test setups may install it after this module loads. */
export const hostFetch: FetchLike = (url, init) => {
  if (!host.fetch) return Promise.reject(new Error('this platform has no fetch: pass `fetch` to createVigil'));
  return host.fetch(url, init);
};
