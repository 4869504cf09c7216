import { EventQueue, type QueueOptions } from '../../sdk/src/queue';
import { memoryStorage, type StorageAdapter } from '../../sdk/src/storage';
import type { LoginEvent } from '../../sdk/src/types';

const login = (ts: number, outcome: LoginEvent['outcome'] = 'success'): LoginEvent => ({
  type: 'login',
  ts,
  outcome,
  appVersion: '5.2.0',
  platform: 'ios',
});

/** Counts writes, and fails them on demand. */
function recordingStorage(initial?: string) {
  const inner = memoryStorage();
  const state = { writes: 0, failWrites: false };
  const storage: StorageAdapter = {
    getItem: (key) => (initial !== undefined ? Promise.resolve(initial) : inner.getItem(key)),
    setItem: async (key, value) => {
      state.writes++;
      if (state.failWrites) throw new Error('quota exceeded');
      initial = undefined;
      await inner.setItem(key, value);
    },
    removeItem: (key) => inner.removeItem(key),
  };
  const stored = async () => JSON.parse((await inner.getItem('q')) ?? 'null') as unknown;
  return { storage, state, stored };
}

function makeQueue(storage: StorageAdapter, over: Partial<QueueOptions> = {}) {
  const drops: Array<[number, string]> = [];
  const storageErrors: string[] = [];
  const queue = new EventQueue({
    storage,
    storageKey: 'q',
    maxEvents: 100,
    onDrop: (count, reason) => drops.push([count, reason]),
    onStorageError: (err, action) => storageErrors.push(`${action}: ${String(err)}`),
    ...over,
  });
  return { queue, drops, storageErrors };
}

let keys = 0;
const newKey = () => `key-${++keys}`;

describe('the SDK queue', () => {
  beforeEach(() => {
    keys = 0;
  });

  it('when events are appended in one tick, then they are stored in one write', async () => {
    const { storage, state, stored } = recordingStorage();
    const { queue } = makeQueue(storage);
    queue.append(login(1_000));
    queue.append(login(2_000, 'failure'));
    queue.append(login(3_000));
    await queue.persist();
    expect(state.writes).toBe(1);
    expect(await stored()).toEqual({ v: 1, batches: [], pending: [login(1_000), login(2_000, 'failure'), login(3_000)] });
  });

  it('when a batch is formed, then its key is stored with it before it is handed out', async () => {
    const { storage, stored } = recordingStorage();
    const { queue } = makeQueue(storage);
    for (const ts of [1, 2, 3]) queue.append(login(ts));
    const batch = await queue.next(2, false, newKey);
    expect(batch?.key).toBe('key-1');
    expect(await stored()).toEqual({ v: 1, batches: [{ key: 'key-1', events: [login(1), login(2)] }], pending: [login(3)] });
  });

  it('when a batch is retried, then it is the same batch under the same key, and no new one is formed', async () => {
    const { queue } = makeQueue(recordingStorage().storage);
    for (const ts of [1, 2, 3]) queue.append(login(ts));
    const first = await queue.next(2, true, newKey);
    queue.release();
    const again = await queue.next(2, true, newKey);
    expect(again).toBe(first);
    expect(again?.key).toBe('key-1');
    expect(keys).toBe(1);
  });

  it('when fewer events than a batch are pending, then only a partial send forms one', async () => {
    const { queue } = makeQueue(recordingStorage().storage);
    queue.append(login(1));
    expect(await queue.next(2, false, newKey)).toBeUndefined();
    expect((await queue.next(2, true, newKey))?.entries.map((e) => e.event)).toEqual([login(1)]);
  });

  it('when a stored queue is restored, then its batches keep their keys and go before events tracked meanwhile', async () => {
    const { storage } = recordingStorage(
      JSON.stringify({ v: 1, batches: [{ key: 'from-last-run', events: [login(10), login(11)] }], pending: [login(12)] }),
    );
    const { queue } = makeQueue(storage);
    queue.append(login(20)); // tracked while the storage was being read
    await queue.restore();
    expect(queue.size).toBe(4);
    const first = await queue.next(10, true, newKey);
    expect(first?.key).toBe('from-last-run');
    expect(first?.entries.map((e) => e.event.ts)).toEqual([10, 11]);
    await queue.settle(first!);
    const second = await queue.next(10, true, newKey);
    expect(second?.key).toBe('key-1');
    expect(second?.entries.map((e) => e.event.ts)).toEqual([12, 20]);
  });

  it('when events are tracked while the stored queue is still being read, then nothing is written over it before', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = memoryStorage();
    await inner.setItem('q', JSON.stringify({ v: 1, batches: [], pending: [login(10)] }));
    const writes: string[] = [];
    const slow: StorageAdapter = {
      getItem: async (key) => {
        const text = await inner.getItem(key);
        await gate;
        return text;
      },
      setItem: async (key, value) => {
        writes.push(value);
        await inner.setItem(key, value);
      },
      removeItem: (key) => inner.removeItem(key),
    };
    const { queue } = makeQueue(slow);
    const restored = queue.restore();
    queue.append(login(20));
    const persisted = queue.persist();
    // Every microtask has run by the next macrotask: a write not held back would have happened.
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([]);
    release();
    await restored;
    await persisted;
    expect(JSON.parse(writes.at(-1)!)).toEqual({ v: 1, batches: [], pending: [login(10), login(20)] });
  });

  it('when restored events are waited on, then they count as tracked before anything of this run', async () => {
    const { storage } = recordingStorage(JSON.stringify({ v: 1, batches: [], pending: [login(10)] }));
    const { queue } = makeQueue(storage);
    await queue.restore();
    expect(queue.settledThrough(queue.lastSeq)).toBe(false);
    const batch = await queue.next(10, true, newKey);
    await queue.settle(batch!);
    expect(queue.settledThrough(queue.lastSeq)).toBe(true);
  });

  it.each([['not json'], ['{"v":2,"batches":[],"pending":[]}'], ['{"v":1,"batches":[{"events":[]}],"pending":[]}']])(
    'when the stored queue is %j, then it is discarded and reported, and the queue starts empty',
    async (text) => {
      const { queue, storageErrors } = makeQueue(recordingStorage(text).storage);
      await queue.restore();
      expect(queue.size).toBe(0);
      expect(storageErrors).toEqual([expect.stringMatching(/^read: Error: stored queue "q" is unreadable/)]);
    },
  );

  it('when the queue is over its bound, then the oldest events are dropped and counted', async () => {
    const { queue, drops } = makeQueue(recordingStorage().storage, { maxEvents: 3 });
    for (const ts of [1, 2, 3, 4, 5]) queue.append(login(ts));
    expect(queue.size).toBe(3);
    expect(drops).toEqual([
      [1, 'overflow'],
      [1, 'overflow'],
    ]);
    expect((await queue.next(5, true, newKey))?.entries.map((e) => e.event.ts)).toEqual([3, 4, 5]);
  });

  it('when the queue overflows while a batch is in flight, then that batch is left whole and the next oldest go', async () => {
    const { queue, drops } = makeQueue(recordingStorage().storage, { maxEvents: 3 });
    for (const ts of [1, 2, 3]) queue.append(login(ts));
    const inFlight = await queue.next(2, false, newKey);
    queue.append(login(4));
    queue.append(login(5));
    expect(inFlight?.entries.map((e) => e.event.ts)).toEqual([1, 2]);
    expect(drops).toEqual([
      [1, 'overflow'],
      [1, 'overflow'],
    ]);
    await queue.settle(inFlight!);
    expect((await queue.next(5, true, newKey))?.entries.map((e) => e.event.ts)).toEqual([5]);
  });

  it('when events are older than the cutoff, then they are dropped, counted, and no longer hold up a flush', async () => {
    const { queue, drops } = makeQueue(recordingStorage().storage);
    for (const ts of [1, 2, 3]) queue.append(login(ts));
    const seq = queue.lastSeq;
    queue.dropExpired(3);
    expect(drops).toEqual([[2, 'expired']]);
    expect(queue.size).toBe(1);
    const batch = await queue.next(5, true, newKey);
    await queue.settle(batch!);
    expect(queue.settledThrough(seq)).toBe(true);
  });

  it('when storage writes fail, then the failure is reported and the queue still works from memory', async () => {
    const { storage, state } = recordingStorage();
    state.failWrites = true;
    const { queue, storageErrors } = makeQueue(storage);
    queue.append(login(1));
    await queue.persist();
    expect(storageErrors).toEqual(['write: Error: quota exceeded']);
    expect((await queue.next(5, true, newKey))?.entries).toHaveLength(1);
  });

  it('when every event has been settled, then the stored queue is removed', async () => {
    const { storage } = recordingStorage();
    const { queue } = makeQueue(storage);
    queue.append(login(1));
    const batch = await queue.next(5, true, newKey);
    await queue.settle(batch!);
    expect(await storage.getItem('q')).toBeNull();
  });
});
