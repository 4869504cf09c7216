import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import Redis from 'ioredis';
import { freePort } from './ports';
import { makeTempDir } from './tmp';

/**
 * A private redis-server on a free loopback port, persisting every write (AOF, fsync always) in a temp dir, so a test
 * can stop Redis mid-run and bring the same data back on the same port.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: no chance to flush anything that was not already fsync'ed. */
  kill(): Promise<void>;
  /** SIGSTOP: the process stays, its sockets stay open, and nothing answers — a Redis that hangs rather than dies. */
  freeze(): void;
  /** SIGCONT: it answers again, working through whatever its clients sent meanwhile. */
  thaw(): void;
  /** Starts again on the same port and directory (no-op while running), and waits until it answers. */
  start(): Promise<void>;
  /** Kills it (if running) and removes its directory. */
  remove(): Promise<void>;
}

async function waitUntilAnswering(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`private redis-server did not start: ${String(err)}`, { cause: err });
    } finally {
      probe.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startPrivateRedis(name: string): Promise<PrivateRedis> {
  const tmp = makeTempDir(`redis-${name}`);
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child && child.exitCode === null) return;
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', tmp.dir, '--appendonly', 'yes', '--appendfsync', 'always',
        '--save', '', '--maxmemory-policy', 'noeviction'],
      { stdio: 'ignore' },
    );
    await waitUntilAnswering(url);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    port,
    kill,
    start,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    remove: async () => {
      await kill();
      tmp.remove();
    },
  };
}
