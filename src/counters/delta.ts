import { PLATFORMS, type Dimension, type Platform, type TelemetryEvent } from '../domain/types';
import { incrementOf } from './fold';
import { SLICE_VALUE, field } from './keys';
import { HOUR_MS, type BucketDelta, type CounterDelta } from './ports';

/** A bucket being filled: Maps while folding, the plain wire form (BucketDelta) once the batch is done. */
interface Filling {
  fields: Map<string, number>;
  users: Map<string, Set<string>>;
}

const emptyFilling = (): Filling => ({ fields: new Map(), users: new Map() });

function bucketOf(buckets: Map<number, Filling>, at: number): Filling {
  let delta = buckets.get(at);
  if (!delta) buckets.set(at, (delta = emptyFilling()));
  return delta;
}

function add(delta: Filling, name: string, n: number): void {
  if (n !== 0) delta.fields.set(name, (delta.fields.get(name) ?? 0) + n);
}

function addUser(delta: Filling, userField: string, userId: string): void {
  let ids = delta.users.get(userField);
  if (!ids) delta.users.set(userField, (ids = new Set()));
  ids.add(userId);
}

/** The four field names of one scope (the bucket total, or one slice value). */
interface ScopeFields {
  a: string;
  f: string;
  u: string;
  fu: string;
}

const TOTAL: ScopeFields = { a: field('a'), f: field('f'), u: field('u'), fu: field('fu') };

/**
 * Field names built once per slice value and batch rather than several times per event: the names were the fold's
 * largest allocation. Per batch, so arbitrary client values cannot grow it without bound.
 */
function scopeNamer(): (dimension: Dimension, value: string) => ScopeFields {
  const byDimension = new Map<Dimension, Map<string, ScopeFields>>();
  return (dimension, value) => {
    let values = byDimension.get(dimension);
    if (!values) byDimension.set(dimension, (values = new Map()));
    let names = values.get(value);
    if (!names) {
      names = { a: field('a', dimension, value), f: field('f', dimension, value), u: field('u', dimension, value), fu: field('fu', dimension, value) };
      values.set(value, names);
    }
    return names;
  };
}

/**
 * Pre-aggregates a batch so Redis sees one increment per (bucket, field) instead of one per event, and so the queue
 * carries the compact delta rather than the raw events. The per-event arithmetic is `incrementOf`, the same fold the
 * in-memory twin applies.
 */
export function foldBatch(events: readonly TelemetryEvent[]): CounterDelta {
  const minutes = new Map<number, Filling>();
  const namesOf = scopeNamer();
  for (const event of events) {
    const inc = incrementOf(event);
    const delta = bucketOf(minutes, inc.minute);
    const { attempts, failures, users, failedUsers } = inc.counts;
    const { userId, failed } = inc;
    // The bucket total, then each slice value: the same four measures.
    for (let s = -1; s < inc.slices.length; s++) {
      const slice = inc.slices[s];
      const names = slice ? namesOf(slice[0], slice[1]) : TOTAL;
      add(delta, names.a, attempts);
      add(delta, names.f, failures);
      add(delta, names.u, users);
      add(delta, names.fu, failedUsers);
      if (userId !== undefined) {
        addUser(delta, names.u, userId);
        if (failed) addUser(delta, names.fu, userId);
      }
    }
    for (const code in inc.errorCodes) {
      const names = namesOf('errorCode', code);
      add(delta, names.f, inc.errorCodes[code]!);
      if (userId !== undefined) addUser(delta, names.fu, userId);
    }
  }
  return { minutes: [...minutes].map(([at, filling]) => toWire(at, filling)) };
}

/** Ids joined by newlines: one Lua argument per HyperLogLog (user ids hold no control characters). */
function toWire(at: number, { fields, users }: Filling): BucketDelta {
  return {
    at,
    fields: Object.fromEntries(fields),
    users: Object.fromEntries([...users].map(([userField, ids]) => [userField, [...ids].join('\n')])),
  };
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
