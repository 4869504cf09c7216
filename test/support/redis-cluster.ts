import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { freePort } from './ports';
import { makeTempDir } from './tmp';

/** A real Redis Cluster of `masters` redis-servers on free loopback ports, without replicas or persistence. */
export interface PrivateCluster {
  /** host:port of every master, as REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  /** A plain connection to each master, to look at what it holds. */
  connectEach(): Redis[];
  /** Stops every server and removes their directory; safe to call twice or after a failed start. */
  remove(): Promise<void>;
}

const run = promisify(execFile);

async function untilTrue(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`private Redis Cluster: ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function answer<T>(port: number, ask: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return await ask(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * Starts `masters` redis-servers with `--cluster-enabled yes` (data and cluster bus on ports of their own), joins them
 * with `redis-cli --cluster create … --cluster-replicas 0`, and waits until every node reports the cluster ok.
 */
export async function startPrivateCluster(name: string, masters = 3): Promise<PrivateCluster> {
  const tmp = makeTempDir(`redis-cluster-${name}`);
  const children: ChildProcess[] = [];
  const remove = async () => {
    await Promise.all(
      children.splice(0).map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
    tmp.remove();
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const busPort = await freePort();
      ports.push(port);
      children.push(
        spawn(
          'redis-server',
          ['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
            '--cluster-config-file', `nodes-${port}.conf`, '--dir', tmp.dir, '--save', '', '--appendonly', 'no',
            '--maxmemory-policy', 'noeviction'],
          { stdio: 'ignore' },
        ),
      );
    }
    for (const port of ports) await untilTrue(`port ${port} did not answer`, () => answer(port, async (r) => (await r.ping()) === 'PONG'));
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) {
      await untilTrue(`node ${port} did not report cluster_state:ok`, () =>
        answer(port, async (r) => (await r.cluster('INFO')).includes('cluster_state:ok')),
      );
    }
    return { nodes, connectEach: () => ports.map((port) => new Redis({ port, host: '127.0.0.1' })), remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
