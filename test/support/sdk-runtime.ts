import type { Runtime } from '../../sdk/src/platform';

/**
 * The SDK's clock, timers and random source under the test's control: time moves only on `advance`, which fires the
 * timers that fall due, in order. Nothing really waits.
 */
export class ManualRuntime implements Runtime {
  private timers: Array<{ id: number; at: number; callback: () => void }> = [];
  private nextId = 1;

  constructor(
    private current: number,
    /** What random() returns: fixed, so retry delays are exact. */
    public randomValue = 0.5,
  ) {}

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.push({ id, at: this.current + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  random(): number {
    return this.randomValue;
  }

  /** Due times of the pending timers, earliest first. */
  dueTimes(): number[] {
    return this.timers.map((t) => t.at).sort((a, b) => a - b);
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = due.at;
      due.callback();
    }
    this.current = target;
  }
}
