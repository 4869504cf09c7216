/**
 * What the SDK costs the app: per trackLogin, with user-id hashing off, on (the same user again, as on a phone), and
 * on for a new user every time (WebCrypto, and the built-in SHA-256 that React Native's Hermes uses), next to two
 * baselines measured in the same run: pushing the same event object onto an array, and JSON.stringify of it.
 * Then the bundle an app ships (minified and gzipped).
 *
 *   npm run bench:sdk            BENCH_EVENTS=20000
 *
 * "inline" is the time the app's own thread spends in trackLogin calls; "all in" is the process's CPU time from the
 * first call until flush() resolved (hashing, queue, batches, JSON, gzip, fetch), with the batches answered 202 by a
 * bare receiver in another process so its work is not counted.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createVigil, type StorageAdapter } from '@vigil/sdk';
import { fileStorage } from '@vigil/sdk/node';
import { build } from 'esbuild';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const SDK_ROOT = path.dirname(require.resolve('@vigil/sdk/package.json'));
const APP = { version: '5.2.0', platform: 'ios', osVersion: '17.4', region: 'eu' } as const;

/** Answers every batch 202 after reading (and gunzipping) it, as cheaply as a server can. */
const RECEIVER = `
const http = require('node:http');
const zlib = require('node:zlib');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
    const events = req.url === '/v1/events' ? JSON.parse(body.toString('utf8')).events.length : 0;
    res.writeHead(req.url === '/v1/events' ? 202 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/v1/events' ? { accepted: events, rejected: [] } : { status: 'operational', incidents: [] }));
  });
}).listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startReceiver(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${chunk.toString().trim()}`, stop: () => child.kill() };
}

const microsPer = (nanos: bigint | number, count: number) => Number(nanos) / 1000 / count;
const cpuMicros = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

/** The second of two rounds, so that the JIT has compiled the loop. */
function baseline(name: string, each: (i: number) => void): { name: string; inline: number } {
  let nanos = 0n;
  for (let round = 0; round < 2; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < EVENTS; i++) each(i);
    nanos = process.hrtime.bigint() - started;
  }
  return { name, inline: microsPer(nanos, EVENTS) };
}

async function scenario(name: string, endpoint: string, hashUserIds: boolean, userOf: (i: number) => string, storage?: StorageAdapter) {
  const vigil = createVigil({
    ...(storage ? { storage } : {}),
    endpoint,
    ingestKey: 'vk_bench',
    app: APP,
    hashUserIds,
    maxBatchSize: 1000,
    maxQueuedEvents: 100_000,
    flushIntervalMs: 3_600_000,
    statusIntervalMs: 0,
    onError: (e) => console.error(`  ${name}: ${e.kind}: ${e.message}`),
  });
  // As on a phone in use: the connection open, and the user's hash known since their first login.
  vigil.trackLogin({ outcome: 'success', userId: userOf(-1) });
  await vigil.flush();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < EVENTS; i++) vigil.trackLogin({ outcome: i % 10 === 0 ? 'failure' : 'success', userId: userOf(i) });
  const inline = microsPer(process.hrtime.bigint() - started, EVENTS);
  await vigil.flush();
  const allIn = cpuMicros(cpu) / EVENTS;
  await vigil.shutdown();
  const { delivered } = vigil.stats();
  if (delivered !== EVENTS + 1) throw new Error(`${name}: ${delivered} of ${EVENTS} delivered`);
  return { name, inline, allIn };
}

/** The built-in SHA-256 path: the platform as React Native's Hermes has it, crypto without `subtle`. */
async function withoutWebCrypto<T>(run: () => Promise<T>): Promise<T> {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
  const randomUUID = globalThis.crypto.randomUUID.bind(globalThis.crypto);
  Object.defineProperty(globalThis, 'crypto', { value: { randomUUID }, configurable: true });
  try {
    return await run();
  } finally {
    Object.defineProperty(globalThis, 'crypto', saved);
  }
}

async function bundleSizes(): Promise<Array<[string, number, number]>> {
  const app = await build({
    stdin: { contents: `export { createVigil, localStorageAdapter } from '@vigil/sdk';`, resolveDir: SDK_ROOT, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2019',
    write: false,
    logLevel: 'silent',
  });
  const appBundle = Buffer.from(app.outputFiles[0]!.contents);
  const browser = readFileSync(path.join(SDK_ROOT, 'dist', 'browser', 'vigil.min.js'));
  return [
    ['an app bundling the ESM build', appBundle.length, gzipSync(appBundle, { level: 9 }).length],
    ['dist/browser/vigil.min.js', browser.length, gzipSync(browser, { level: 9 }).length],
  ];
}

async function main(): Promise<void> {
  const receiver = await startReceiver();
  try {
    const event = (i: number) => ({ type: 'login', ts: Date.now(), outcome: i % 10 === 0 ? 'failure' : 'success', ...APP, userId: 'user-1' });
    const sink: unknown[] = [];
    let bytes = 0;
    const baselines = [
      baseline('array.push of the event', (i) => sink.push(event(i))),
      baseline('JSON.stringify of the event', (i) => (bytes += JSON.stringify(event(i)).length)),
    ];
    const runs = [];
    // One warm-up round, so that the first scenario does not pay for the JIT alone.
    await scenario('warm-up', receiver.url, true, (i) => `user-${i}`);
    runs.push(await scenario('trackLogin, hashing off', receiver.url, false, () => 'user-1'));
    runs.push(await scenario('trackLogin, hashed, same user (memoised)', receiver.url, true, () => 'user-1'));
    runs.push(await scenario('trackLogin, hashed, new user each (WebCrypto)', receiver.url, true, (i) => `user-${i}`));
    runs.push(await withoutWebCrypto(() => scenario('trackLogin, hashed, new user each (built-in SHA-256)', receiver.url, true, (i) => `user-${i}`)));
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-sdk-'));
    try {
      runs.push(await scenario('trackLogin, hashed, same user, queue in fileStorage', receiver.url, true, () => 'user-1', fileStorage(dir)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    console.log(`SDK cost per login, ${EVENTS.toLocaleString('en')} logins per row (µs per event)`);
    console.log(`${''.padEnd(56)} ${'inline'.padStart(8)} ${'all in'.padStart(8)}`);
    for (const b of baselines) console.log(`${`baseline: ${b.name}`.padEnd(56)} ${b.inline.toFixed(3).padStart(8)} ${'-'.padStart(8)}`);
    for (const r of runs) console.log(`${r.name.padEnd(56)} ${r.inline.toFixed(3).padStart(8)} ${r.allIn.toFixed(3).padStart(8)}`);
    console.log(`(baselines kept ${sink.length.toLocaleString('en')} objects and ${bytes.toLocaleString('en')} JSON bytes)`);

    console.log('\nbundle size (bytes)');
    for (const [name, minified, gzipped] of await bundleSizes()) {
      console.log(`${name.padEnd(56)} ${String(minified).padStart(8)} min ${String(gzipped).padStart(7)} min+gz`);
    }
  } finally {
    receiver.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
