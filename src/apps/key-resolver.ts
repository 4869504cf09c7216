import type { App, IngestKey } from '../domain/types';
import type { AppStore } from '../store/ports';
import type { Clock } from '../clock';
import { sha256 } from './keys';

interface Entry {
  value: { app: App; key: IngestKey } | null;
  expires: number;
}

/**
 * Ingest-key lookups with a short cache: every telemetry request authenticates, and the store should not see each
 * one. A revoked key stops working at once in the process that revoked it and within `ttlMs` in every other process.
 */
export class KeyResolver {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly apps: AppStore,
    private readonly clock: Clock,
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 10_000,
  ) {}

  async resolve(ingestKey: string): Promise<{ app: App; key: IngestKey } | null> {
    const hash = sha256(ingestKey);
    const now = this.clock.now();
    const hit = this.cache.get(hash);
    if (hit && hit.expires > now) return hit.value;
    const value = await this.apps.findByKeyHash(hash);
    // Maps iterate in insertion order: dropping the first entry evicts the oldest.
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(hash, { value, expires: now + this.ttlMs });
    return value;
  }

  /** Forget every cached key of an app (after a revocation). */
  forgetApp(appId: string): void {
    for (const [hash, entry] of this.cache) if (entry.value?.app.id === appId) this.cache.delete(hash);
  }
}
