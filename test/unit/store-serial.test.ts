import { SerialByKey } from '../../src/store/mongo/serial';

/** A promise the test settles by hand, to order operations without timers. */
function gate<T = void>() {
  let open!: (value: T) => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('SerialByKey', () => {
  it('when two operations share a key, then the second starts only once the first settled, even by failing', async () => {
    const serial = new SerialByKey();
    const first = gate();
    const started: string[] = [];
    const a = serial.run('inc_1', async () => {
      started.push('a');
      await first.promise;
    });
    const b = serial.run('inc_1', async () => {
      started.push('b');
      return 'b done';
    });
    await Promise.resolve();
    expect(started).toEqual(['a']);
    first.fail(new Error('write refused'));
    await expect(a).rejects.toThrow('write refused');
    await expect(b).resolves.toBe('b done');
    expect(started).toEqual(['a', 'b']);
  });

  it('when operations have different keys, then they run at the same time', async () => {
    const serial = new SerialByKey();
    const held = gate();
    const started: string[] = [];
    const a = serial.run('inc_1', async () => {
      started.push('a');
      await held.promise;
    });
    const b = serial.run('inc_2', async () => {
      started.push('b');
    });
    await b;
    expect(started).toEqual(['a', 'b']);
    held.open();
    await a;
  });
});
