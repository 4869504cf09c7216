import { VigilClient, type Vigil } from './client.js';
import type { VigilOptions } from './options.js';
import { hostRuntime } from './platform.js';

/** Creates the SDK: one per app (and per storage key). */
export function createVigil(options: VigilOptions): Vigil {
  return new VigilClient(options, hostRuntime);
}

export type { FlushOptions, LoginInput, Vigil, VigilStats } from './client.js';
export type { VigilOptions } from './options.js';
export type { FetchLike, RequestInitLike, ResponseLike, SyncStorage } from './platform.js';
export type { StatusFeed } from './status.js';
export { localStorageAdapter, memoryStorage, type StorageAdapter } from './storage.js';
export { VigilError, type BannerStatus, type LoginEvent, type LoginOutcome, type Platform, type RejectedEvent, type VigilErrorKind } from './types.js';
