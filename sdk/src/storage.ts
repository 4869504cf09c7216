import { host, type SyncStorage } from './platform.js';

/**
 * Where the SDK keeps unsent events: React Native's AsyncStorage has this shape, so it can be passed as it is.
 * The SDK writes one key (its `storageKey`) holding a JSON document.
 */
export interface StorageAdapter {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

/**
 * Kept in memory, like the queue without any storage: for tests, or to hand one queue from an instance to the next
 * within a process. Unsent events do not survive a restart.
 */
export function memoryStorage(): StorageAdapter {
  const items = new Map<string, string>();
  return {
    getItem: async (key) => items.get(key) ?? null,
    setItem: async (key, value) => {
      items.set(key, value);
    },
    removeItem: async (key) => {
      items.delete(key);
    },
  };
}

/**
 * Browsers: `window.localStorage` (or any Web Storage). A full quota makes `setItem` fail; the SDK reports it through
 * `onError` and keeps the events in memory.
 */
export function localStorageAdapter(storage: SyncStorage | undefined = host.localStorage): StorageAdapter {
  if (!storage) throw new TypeError('@vigil/sdk: this platform has no localStorage');
  // Promise-wrapped so that a throwing call (quota, privacy mode) becomes a rejection, like AsyncStorage's.
  return {
    getItem: async (key) => storage.getItem(key),
    setItem: async (key, value) => storage.setItem(key, value),
    removeItem: async (key) => storage.removeItem(key),
  };
}
