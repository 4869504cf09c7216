import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { freePort } from './ports';
import { makeTempDir } from './tmp';

/**
 * FerretDB for the MongoDB half of the suite: scripts/ferretdb.sh builds it (in CI's set-up) and runs it; the Jest
 * global set-up starts one server for the whole run, each test file then works in a database of its own.
 */
const SCRIPT = path.resolve(__dirname, '../../scripts/ferretdb.sh');
export const FERRETDB_VERSION = 'FerretDB v1.24.2';

export interface FerretDb {
  url: string;
  stop(): Promise<void>;
}

declare global {
  /** The FerretDB of the Jest global set-up; Jest hands set-up globals to the global teardown (and to nothing else). */
  var vigilFerretDb: FerretDb | undefined;
}

/** The built binary, or why there is none (the Mongo suites then say SKIPPED with that reason). */
export function findFerretDb(): { binary: string } | { missing: string } {
  const res = spawnSync('bash', [SCRIPT, 'path'], { encoding: 'utf8' });
  const binary = res.stdout.trim();
  if (res.status !== 0 || binary === '') return { missing: `scripts/ferretdb.sh path failed: ${res.stderr.trim()}` };
  if (!existsSync(binary)) {
    return { missing: `${FERRETDB_VERSION} is not built at ${binary} (run scripts/ferretdb.sh build; it needs Go)` };
  }
  return { binary };
}

async function waitUntilAnswering(url: string, exited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited()) throw new Error('the process exited');
    const conn = mongoose.createConnection(url, { serverSelectionTimeoutMS: 500 });
    try {
      await conn.asPromise();
      await conn.db?.admin().ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms: ${String(err)}`, { cause: err });
    } finally {
      await conn.close().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts FerretDB on a free loopback port with its SQLite files in a temp dir, and waits until it answers a ping. */
export async function startFerretDb(): Promise<FerretDb> {
  const tmp = makeTempDir('ferretdb');
  const port = await freePort();
  const logFile = path.join(tmp.dir, 'ferretdb.log');
  const log = openSync(logFile, 'a');
  // The script execs the server, so this pid is FerretDB's own and a signal reaches it directly.
  const child = spawn('bash', [SCRIPT, 'run', String(port), tmp.dir], { stdio: ['ignore', log, log] });
  closeSync(log);
  const exit = once(child, 'exit');
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async () => {
    if (!exited()) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killer);
    }
    tmp.remove();
  };
  const url = `mongodb://127.0.0.1:${port}/`;
  try {
    await waitUntilAnswering(url, exited, 30_000);
  } catch (err) {
    const output = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    await stop();
    throw new Error(`${FERRETDB_VERSION} did not start on port ${port}: ${String(err)}\n${output}`, { cause: err });
  }
  return { url, stop };
}
