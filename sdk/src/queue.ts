import type { StorageAdapter } from './storage.js';
import type { LoginEvent } from './types.js';

/** A queued event and its place in tracking order, which `flush()` waits on. */
interface Entry {
  seq: number;
  event: LoginEvent;
}

/** Events sent together under one Idempotency-Key, fixed when the batch is formed and kept until it is settled. */
export interface Batch {
  readonly key: string;
  entries: Entry[];
}

/** The stored document. Batches keep their keys, so a restart resends them as the same batches. */
interface Stored {
  v: 1;
  batches: Array<{ key: string; events: LoginEvent[] }>;
  pending: LoginEvent[];
}

export interface QueueOptions {
  /** Undefined: the queue lives in memory only, and nothing is serialized. */
  storage: StorageAdapter | undefined;
  storageKey: string;
  maxEvents: number;
  onDrop(count: number, reason: 'overflow' | 'expired'): void;
  onStorageError(error: unknown, action: 'read' | 'write'): void;
}

function parseStored(text: string): Stored | undefined {
  try {
    const doc = JSON.parse(text) as Partial<Stored> | null;
    if (doc?.v !== 1 || !Array.isArray(doc.batches) || !Array.isArray(doc.pending)) return undefined;
    if (!doc.batches.every((b) => typeof b?.key === 'string' && Array.isArray(b.events))) return undefined;
    return doc as Stored;
  } catch {
    return undefined;
  }
}

/**
 * The bounded, persistent FIFO of unsent events: formed batches first (each with its key), then events not yet in a
 * batch. Batches are formed only when about to be sent, so events that pile up offline leave in full batches.
 * Every change is written to storage; changes made in the same tick share one write.
 */
export class EventQueue {
  private batches: Batch[] = [];
  private pending: Entry[] = [];
  private count = 0;
  private nextSeq = 0;
  /** The batch being sent: never trimmed, so the service and the counts agree on what it held. */
  private inFlight: Batch | undefined;
  private dirty = false;
  private writing: Promise<void> | undefined;
  /** Writes wait for it: an event tracked while storage is being read must not overwrite what is being read. */
  private restoring: Promise<void> = Promise.resolve();

  constructor(private readonly opts: QueueOptions) {}

  get size(): number {
    return this.count;
  }

  /** The sequence number of the last event appended. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /**
   * Puts what an earlier run left in storage ahead of everything appended since: those events are older, so they get
   * negative sequence numbers. Called once, before the first batch is formed.
   */
  restore(): Promise<void> {
    this.restoring = this.load();
    return this.restoring;
  }

  private async load(): Promise<void> {
    const { storage } = this.opts;
    if (!storage) return;
    let text: string | null;
    try {
      text = await storage.getItem(this.opts.storageKey);
    } catch (err) {
      this.opts.onStorageError(err, 'read');
      return;
    }
    if (text === null) return;
    const stored = parseStored(text);
    if (!stored) {
      this.opts.onStorageError(new Error(`stored queue "${this.opts.storageKey}" is unreadable: discarded`), 'read');
      return;
    }
    let seq = -(stored.batches.reduce((n, b) => n + b.events.length, 0) + stored.pending.length);
    const entries = (events: LoginEvent[]) => events.map((event) => ({ seq: seq++, event }));
    this.batches = stored.batches.map((b) => ({ key: b.key, entries: entries(b.events) })).filter((b) => b.entries.length > 0);
    this.pending = [...entries(stored.pending), ...this.pending];
    this.count = this.batches.reduce((n, b) => n + b.entries.length, 0) + this.pending.length;
    this.enforceBound();
    void this.persist();
  }

  append(event: LoginEvent): void {
    this.pending.push({ seq: this.nextSeq++, event });
    this.count++;
    this.enforceBound();
    void this.persist();
  }

  /**
   * The batch to send now: the oldest formed one, else a new one of up to `maxSize` pending events (only a full one
   * unless `partial`), with `newKey()` as its Idempotency-Key, stored before it is returned so that a crash after the
   * send can only resend it under the same key.
   */
  async next(maxSize: number, partial: boolean, newKey: () => string): Promise<Batch | undefined> {
    let batch = this.batches[0];
    if (!batch) {
      if (this.pending.length === 0 || (!partial && this.pending.length < maxSize)) return undefined;
      batch = { key: newKey(), entries: this.pending.splice(0, maxSize) };
      this.batches.push(batch);
      this.inFlight = batch;
      await this.persist();
    }
    this.inFlight = batch;
    return batch;
  }

  /** The batch was acknowledged or refused for good: it leaves the queue. */
  async settle(batch: Batch): Promise<void> {
    this.inFlight = undefined;
    const index = this.batches.indexOf(batch);
    if (index < 0) return;
    this.batches.splice(index, 1);
    this.count -= batch.entries.length;
    await this.persist();
  }

  /** The batch will be retried later, under the same key. */
  release(): void {
    this.inFlight = undefined;
  }

  /** Drops events the service would refuse as too old (tracked before `cutoff`): they must not hold the queue up. */
  dropExpired(cutoff: number): void {
    let dropped = 0;
    const keep = (entries: Entry[]) => {
      const kept = entries.filter((e) => e.event.ts >= cutoff);
      dropped += entries.length - kept.length;
      return kept;
    };
    for (const batch of this.batches) if (batch !== this.inFlight) batch.entries = keep(batch.entries);
    this.batches = this.batches.filter((b) => b.entries.length > 0 || b === this.inFlight);
    this.pending = keep(this.pending);
    if (dropped === 0) return;
    this.count -= dropped;
    this.opts.onDrop(dropped, 'expired');
    void this.persist();
  }

  /** True once every event up to `seq` has left the queue (sent, refused or dropped). */
  settledThrough(seq: number): boolean {
    const oldest = this.batches[0]?.entries[0] ?? this.pending[0];
    return oldest === undefined || oldest.seq > seq;
  }

  /**
   * Resolves once the queue as it is now is in storage. Writes are sequential and each writes the whole queue, so
   * changes made while one is under way share the next: the slower the storage, the more changes per write.
   */
  persist(): Promise<void> {
    if (!this.opts.storage) return Promise.resolve();
    this.dirty = true;
    if (!this.writing) this.writing = this.writeLoop();
    return this.writing;
  }

  private async writeLoop(): Promise<void> {
    // Also lets the rest of this tick's changes join the same write.
    await this.restoring;
    for (;;) {
      if (!this.dirty) {
        // Cleared in the same tick as the last check: a later persist() starts a new loop instead of joining this one.
        this.writing = undefined;
        return;
      }
      this.dirty = false;
      const storage = this.opts.storage!;
      try {
        if (this.count === 0) await storage.removeItem(this.opts.storageKey);
        else await storage.setItem(this.opts.storageKey, this.serialize());
      } catch (err) {
        this.opts.onStorageError(err, 'write');
      }
    }
  }

  private serialize(): string {
    const stored: Stored = {
      v: 1,
      batches: this.batches.map((b) => ({ key: b.key, events: b.entries.map((e) => e.event) })),
      pending: this.pending.map((e) => e.event),
    };
    return JSON.stringify(stored);
  }

  /** Beyond `maxEvents`, the oldest events go, except those of the batch in flight. */
  private enforceBound(): void {
    let dropped = 0;
    while (this.count > this.opts.maxEvents) {
      const batch = this.batches.find((b) => b !== this.inFlight && b.entries.length > 0);
      if (batch) {
        batch.entries.shift();
        if (batch.entries.length === 0) this.batches.splice(this.batches.indexOf(batch), 1);
      } else if (this.pending.length > 0) {
        this.pending.shift();
      } else {
        break; // only the batch in flight is left, and maxEvents >= its size
      }
      this.count--;
      dropped++;
    }
    if (dropped > 0) this.opts.onDrop(dropped, 'overflow');
  }
}
