import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Result } from 'ioredis';
import { PACKAGE_ROOT } from '../package';
import type { RedisClient } from '../queue/connection';

/**
 * The counters' two Lua scripts, kept as .lua files (as BullMQ keeps its commands) so they read, diff and lint as
 * Lua. tsc does not copy them into dist/, so they are read from the source tree, found from the package root: the
 * same files whether Vigil runs from dist/ (npm start), from the TypeScript sources (jest, npm run dev) or in the
 * image (which keeps src/).
 */
const LUA_DIR = path.join(PACKAGE_ROOT, 'src', 'counters', 'lua');
const lua = (name: string) => readFileSync(path.join(LUA_DIR, `${name}.lua`), 'utf8');
/** Read once, at start-up: a missing file fails the start, not the first batch. */
const SCRIPTS = { vigilApplyDelta: lua('apply-delta'), vigilReadBuckets: lua('read-buckets') } as const;

/** `[0]` for a redelivered job; else `[1, [code, logins folded into "other", …], [code, hour, …]]` (apply-delta.lua). */
export type ApplyReply = [0] | [1, Array<string | number>, Array<string | number>];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** lua/apply-delta.lua: KEYS done-marker, bucket hashes…; ARGV as documented there. */
    vigilApplyDelta(numKeys: number, ...keysAndArgs: Array<string | number>): Result<ApplyReply, Context>;
    /** lua/read-buckets.lua: KEYS bucket hashes; ARGV keys per output bucket, '1' for hourly roll-ups. */
    vigilReadBuckets(numKeys: number, ...keysAndArgs: Array<string | number>): Result<unknown, Context>;
  }
}

/** Defines both commands on a connection; idempotent, so readers and writers may share one. */
export function defineCounterScripts(redis: RedisClient): void {
  for (const [name, script] of Object.entries(SCRIPTS)) redis.defineCommand(name, { lua: script });
}
