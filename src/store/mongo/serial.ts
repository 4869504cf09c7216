/**
 * Runs operations on one key one after another, operations on different keys freely. Why the adapter needs it: FerretDB
 * 1.x applies an update by reading the document, changing it in its own process and writing it back by _id, so two
 * concurrent updates of one document can both match the same version and the second write erases the first
 * (a lost $push, a compare-and-set that passes twice). MongoDB updates a document atomically and needs none of this;
 * serialising a process's own writes to one document costs it little and keeps FerretDB right within one process.
 * Across processes FerretDB stays unsafe (docs/stores.md).
 */
export class SerialByKey {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, op: () => Promise<T>): Promise<T> {
    // A tail never rejects (see below), so `op` runs once the previous operation settled, whatever its outcome.
    const result = (this.tails.get(key) ?? Promise.resolve()).then(op);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // The last one out removes the key, so the map holds only keys with work in flight.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
