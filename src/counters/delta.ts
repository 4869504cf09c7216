import { PLATFORMS, type Dimension, type Platform, type TelemetryEvent } from '../domain/types';
import { incrementOf } from './fold';
import { SLICE_VALUE, field } from './keys';
import { HOUR_MS, type BucketDelta, type CounterDelta } from './ports';

/** One scope (the bucket total, or one slice value) of one minute being filled: plain numbers and id sets. */
interface Scope {
  names: ScopeNames;
  a: number;
  f: number;
  u: number;
  fu: number;
  users: Set<string> | undefined;
  failedUsers: Set<string> | undefined;
}

/** The four field names of one scope, built once per slice value and batch (they were the fold's largest allocation). */
interface ScopeNames {
  a: string;
  f: string;
  u: string;
  fu: string;
}

const namesOf = (dimension?: Dimension, value?: string): ScopeNames => ({
  a: field('a', dimension, value),
  f: field('f', dimension, value),
  u: field('u', dimension, value),
  fu: field('fu', dimension, value),
});
const TOTAL = namesOf();

/** Scope names per dimension and value, per batch: arbitrary client values cannot grow it beyond one batch's. */
class Namer {
  private readonly byDimension = new Map<Dimension, Map<string, ScopeNames>>();

  get(dimension: Dimension, value: string): ScopeNames {
    let values = this.byDimension.get(dimension);
    if (!values) this.byDimension.set(dimension, (values = new Map<string, ScopeNames>()));
    let names = values.get(value);
    if (!names) values.set(value, (names = namesOf(dimension, value)));
    return names;
  }
}

/** A minute's scopes, keyed by their names object (one per scope and batch, so identity is enough). */
type Minute = Map<ScopeNames, Scope>;

function scopeOf(minute: Minute, names: ScopeNames): Scope {
  let scope = minute.get(names);
  if (!scope) minute.set(names, (scope = { names, a: 0, f: 0, u: 0, fu: 0, users: undefined, failedUsers: undefined }));
  return scope;
}

/**
 * Pre-aggregates a batch so Redis sees one increment per (bucket, field) instead of one per event, and so the queue
 * carries the compact delta rather than the raw events. The per-event arithmetic is `incrementOf`, the same fold the
 * in-memory twin applies; per event and scope it costs one lookup and a few additions (field names and their sums
 * are only joined up once per batch, in `toWire`).
 */
export function foldBatch(events: readonly TelemetryEvent[]): CounterDelta {
  const minutes = new Map<number, Minute>();
  const namer = new Namer();
  const count = (scope: Scope, counts: { attempts: number; failures: number; users: number; failedUsers: number }, userId: string | undefined, failed: boolean) => {
    scope.a += counts.attempts;
    scope.f += counts.failures;
    scope.u += counts.users;
    scope.fu += counts.failedUsers;
    if (userId === undefined) return;
    (scope.users ??= new Set()).add(userId);
    if (failed) (scope.failedUsers ??= new Set()).add(userId);
  };
  for (const event of events) {
    const inc = incrementOf(event);
    let minute = minutes.get(inc.minute);
    if (!minute) minutes.set(inc.minute, (minute = new Map<ScopeNames, Scope>()));
    const { userId, failed } = inc;
    // The bucket total, then each slice value: the same four measures.
    count(scopeOf(minute, TOTAL), inc.counts, userId, failed);
    for (const [dimension, value] of inc.slices) count(scopeOf(minute, namer.get(dimension, value)), inc.counts, userId, failed);
    // Per error code, failures and the failing users only.
    for (const code in inc.errorCodes) {
      const scope = scopeOf(minute, namer.get('errorCode', code));
      scope.f += inc.errorCodes[code]!;
      if (userId !== undefined) (scope.failedUsers ??= new Set()).add(userId);
    }
  }
  return { minutes: [...minutes].map(([at, minute]) => toWire(at, minute)) };
}

/** Fields with a count (zeros are not written); ids joined by newlines: one Lua argument per HyperLogLog. */
function toWire(at: number, minute: Minute): BucketDelta {
  const fields: Record<string, number> = {};
  const users: Record<string, string> = {};
  for (const { names, a, f, u, fu, users: ids, failedUsers: failedIds } of minute.values()) {
    if (a !== 0) fields[names.a] = a;
    if (f !== 0) fields[names.f] = f;
    if (u !== 0) fields[names.u] = u;
    if (fu !== 0) fields[names.fu] = fu;
    if (ids) users[names.u] = [...ids].join('\n');
    if (failedIds) users[names.fu] = [...failedIds].join('\n');
  }
  return { at, fields, users };
}

/** The users of the whole app, the only ones rolled up per hour. */
const HOURLY_USER_FIELDS = [field('u'), field('fu')];

/**
 * Hourly roll-ups of a delta's minutes: every field merged per hour, and only the whole app's users. Per-slice users
 * per hour would double the HyperLogLog work (most of Redis's share of ingest) for numbers the detector never reads;
 * ranges of minutes union the minute HyperLogLogs instead.
 */
export function rollUp(delta: CounterDelta): BucketDelta[] {
  const hours = new Map<number, { fields: Map<string, number>; users: Map<string, string[]> }>();
  for (const minute of delta.minutes) {
    const at = minute.at - (minute.at % HOUR_MS);
    let hour = hours.get(at);
    if (!hour) hours.set(at, (hour = { fields: new Map(), users: new Map() }));
    for (const [name, n] of Object.entries(minute.fields)) hour.fields.set(name, (hour.fields.get(name) ?? 0) + n);
    for (const userField of HOURLY_USER_FIELDS) {
      const ids = minute.users[userField];
      if (ids !== undefined) hour.users.set(userField, [...(hour.users.get(userField) ?? []), ids]);
    }
  }
  return [...hours].map(([at, { fields, users }]) => ({
    at,
    fields: Object.fromEntries(fields),
    users: Object.fromEntries([...users].map(([userField, parts]) => [userField, parts.join('\n')])),
  }));
}

/** Attempts and failures per platform, for the bounded-label login metrics. */
export function platformTotals(delta: CounterDelta): Array<{ platform: Platform; attempts: number; failures: number }> {
  return PLATFORMS.map((platform) => {
    let attempts = 0;
    let failures = 0;
    for (const { fields } of delta.minutes) {
      attempts += fields[field('a', 'platform', platform)] ?? 0;
      failures += fields[field('f', 'platform', platform)] ?? 0;
    }
    return { platform, attempts, failures };
  }).filter((t) => t.attempts > 0);
}

/** The names the counters' grammar allows (keys.ts): a delta from the queue is checked against them. */
const FIELD = new RegExp(`^(?:(?:a|f|u|fu)(?:\\|[vpor]\\|${SLICE_VALUE})?|f\\|e\\|${SLICE_VALUE})$`);
const USER_FIELD = new RegExp(`^(?:(?:u|fu)(?:\\|[vpor]\\|${SLICE_VALUE})?|fu\\|e\\|${SLICE_VALUE})$`);
// eslint-disable-next-line no-control-regex -- ids are newline-separated; any other control character is garbage
const USER_IDS = /^[^\x00-\x09\x0b-\x1f\x7f]*$/;
const MAX_BUCKETS = 2000;
const MAX_USER_IDS_CHARS = 1000 * 257;

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The first problem of a delta read back from the queue (`minutes.3.fields.a|v|x y: …`), or undefined. Field names
 * become Redis hash fields and key suffixes and the numbers are added up, so a malformed job (an old producer, a
 * manual enqueue) must not reach the script. Checks in place, without copying.
 */
export function deltaProblem(delta: unknown): string | undefined {
  if (!isRecord(delta) || !Array.isArray(delta.minutes)) return 'minutes: expected an array';
  if (delta.minutes.length > MAX_BUCKETS) return `minutes: at most ${MAX_BUCKETS}`;
  for (let i = 0; i < delta.minutes.length; i++) {
    const bucket: unknown = delta.minutes[i];
    if (!isRecord(bucket)) return `minutes.${i}: expected an object`;
    if (!isCount(bucket.at) || (bucket.at as number) % 60_000 !== 0) return `minutes.${i}.at: expected the start of a minute`;
    if (!isRecord(bucket.fields)) return `minutes.${i}.fields: expected an object`;
    for (const [name, n] of Object.entries(bucket.fields)) {
      if (!FIELD.test(name)) return `minutes.${i}.fields.${name}: not a counter field`;
      if (!isCount(n)) return `minutes.${i}.fields.${name}: expected a non-negative integer`;
    }
    if (!isRecord(bucket.users)) return `minutes.${i}.users: expected an object`;
    for (const [name, ids] of Object.entries(bucket.users)) {
      if (!USER_FIELD.test(name)) return `minutes.${i}.users.${name}: not a user field`;
      if (typeof ids !== 'string' || ids.length > MAX_USER_IDS_CHARS || !USER_IDS.test(ids)) {
        return `minutes.${i}.users.${name}: expected user ids separated by newlines`;
      }
    }
  }
  return undefined;
}
