/**
 * Sustained ingest load: the real service (`node dist/src/main.js all`: router, validation, BullMQ, the aggregation
 * worker, real Redis, in its own REDIS_PREFIX) next to a bare node:http server that only parses the same body and
 * answers 202, in one run. Loopback only; bounded; removes its Redis keys and data directory.
 *
 *   npm run bench:ingest            BENCH_SECONDS=10 BENCH_CONNECTIONS=16 BENCH_MODE=both|all|split
 *
 * `all` is one process (npm start: API + worker); `split` runs the API and the worker as two processes (npm run
 * start:api / start:worker). The default runs both, one after the other, against one bare-server baseline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { RedisCounters } from '../src/counters/redis';
import { QUEUES } from '../src/queue/names';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
type Layout = 'all' | 'split';
const LAYOUTS: Layout[] = process.env.BENCH_MODE === 'all' || process.env.BENCH_MODE === 'split' ? [process.env.BENCH_MODE] : ['all', 'split'];
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const EVENTS_PER_BATCH = 200;
const ADMIN_TOKEN = randomBytes(24).toString('base64url');
const MAIN = path.join(__dirname, '..', 'src', 'main.js');
/** BENCH_PROFILE=<dir>: CPU profile of the service (all) or worker (split) process, for chrome://inspect. */
const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];

const BARE_SERVER = `
const http = require('node:http');
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accepted: body.events.length, rejected: [] }));
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function bodies(count: number): string[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, b) =>
    JSON.stringify({
      events: Array.from({ length: EVENTS_PER_BATCH }, (_, i) => ({
        type: 'login',
        ts: new Date(now - ((b * 7 + i) % 120) * 1000).toISOString(),
        outcome: i % 25 === 0 ? 'failure' : 'success',
        ...(i % 25 === 0 ? { errorCode: ['AUTH_TIMEOUT', 'BAD_TOKEN', 'E500'][i % 3] } : {}),
        appVersion: `5.${(b + i) % 4}.0`,
        platform: i % 2 ? 'ios' : 'android',
        osVersion: `${13 + (i % 5)}.${i % 3}`,
        region: ['eu', 'us', 'ap', 'sa'][(b + i) % 4],
        userId: `user-${(b * EVENTS_PER_BATCH + i) % 5000}`,
        eventId: `${b}-${i}-${randomBytes(4).toString('hex')}`,
      })),
    }),
  );
}

async function load(url: string, token: string | undefined, payloads: string[]) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: payloads.map((body) => ({
      method: 'POST',
      path: '/v1/events',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    })),
  });
  const ok = result['2xx'];
  return {
    eventsPerSecond: (ok * EVENTS_PER_BATCH) / SECONDS,
    batches: ok,
    refused: result.non2xx + result.errors + result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

function start(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) console.error(`${name} exited with ${code}`);
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

type Load = Awaited<ReturnType<typeof load>>;

const row = (name: string, r: Load) =>
  `${name.padEnd(16)} ${Math.round(r.eventsPerSecond).toLocaleString('en').padStart(10)} events/s  ` +
  `${String(r.batches).padStart(6)} batches  p50 ${r.p50} ms  p99 ${r.p99} ms  refused ${r.refused}`;

/** One layout of the service under the same load: throughput, then how long its worker needs to catch up. */
async function runLayout(layout: Layout, redis: Redis, payloads: string[], bare: Load): Promise<void> {
  const prefix = `vigil-bench-${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-'));
  const children: ChildProcess[] = [];
  try {
    const port = await freePort();
    const env = { PORT: String(port), HOST: '127.0.0.1', REDIS_URL, REDIS_PREFIX: prefix, DATA_DIR: dataDir, ADMIN_TOKEN, LOG_LEVEL: 'warn' };
    if (layout === 'split') {
      children.push(start('api', [MAIN, 'api'], env));
      children.push(start('worker', [...profile, MAIN, 'worker'], { ...env, PORT: String(await freePort()) }));
    } else {
      children.push(start('service', [...profile, MAIN, 'all'], env));
    }
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`);
    const created = await fetch(`${base}/v1/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    });
    const app = (await created.json()) as { id: string; ingestKey: string };

    console.error(`Vigil (${layout === 'split' ? 'API and worker processes' : 'one process: API + worker'})…`);
    const real = await load(base, app.ingestKey, payloads);

    const queue = new Queue(QUEUES.ingest, { connection: redis, prefix });
    const backlog = await queue.getJobCountByTypes('waiting', 'active', 'delayed');
    const drainStarted = Date.now();
    while ((await queue.getJobCountByTypes('waiting', 'active', 'delayed')) > 0) await new Promise((r) => setTimeout(r, 50));
    const drainMs = Date.now() - drainStarted;
    const failed = await queue.getJobCountByTypes('failed');
    await queue.close();

    const now = Date.now();
    const counted = (await new RedisCounters(redis, prefix).buckets(app.id, now - 3 * 3_600_000, now + 600_000, 3_600_000)).reduce(
      (n, b) => n + b.total.attempts,
      0,
    );
    // What the worker sustained: every batch it folded, over the load plus the time it needed to catch up.
    const folded = counted / (SECONDS + drainMs / 1000);

    console.log(row(`vigil (${layout})`, real));
    console.log(`  ratio vigil/bare  ${(real.eventsPerSecond / bare.eventsPerSecond).toFixed(3)}`);
    console.log(`  worker            ${backlog} jobs waiting at the end of the load, drained in ${drainMs} ms; ` +
      `folded ${Math.round(folded).toLocaleString('en')} events/s; ${failed} failed jobs`);
    // Batches still in flight when autocannon stops are queued and counted but not in its 2xx total.
    console.log(`  counted           ${counted.toLocaleString('en')} events for ${(real.batches * EVENTS_PER_BATCH).toLocaleString('en')} acknowledged (+ up to ${CONNECTIONS * EVENTS_PER_BATCH} in flight at the stop)`);
  } finally {
    for (const child of children) await stop(child);
    await deletePrefix(redis, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const payloads = bodies(20);
  const barePort = await freePort();
  const bareServer = start('bare server', ['-e', BARE_SERVER], { PORT: String(barePort) });
  try {
    await waitForHttp(`http://127.0.0.1:${barePort}/`);
    console.error(`bare node:http: ${SECONDS}s, ${CONNECTIONS} connections, ${EVENTS_PER_BATCH}-event batches…`);
    const bare = await load(`http://127.0.0.1:${barePort}`, undefined, payloads);
    await stop(bareServer);
    console.log(row('bare node:http', bare));
    for (const layout of LAYOUTS) await runLayout(layout, redis, payloads, bare);
  } finally {
    await stop(bareServer);
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
