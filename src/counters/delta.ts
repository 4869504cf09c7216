import type { Dimension, Platform, TelemetryEvent } from '../domain/types';
import { incrementOf } from './fold';
import { field } from './keys';
import { HOUR_MS, type BatchDelta, type BucketDelta } from './ports';

const emptyDelta = (): BucketDelta => ({ fields: new Map(), users: new Map() });

function bucketOf(buckets: Map<number, BucketDelta>, at: number): BucketDelta {
  let delta = buckets.get(at);
  if (!delta) buckets.set(at, (delta = emptyDelta()));
  return delta;
}

function add(delta: BucketDelta, name: string, n: number): void {
  if (n !== 0) delta.fields.set(name, (delta.fields.get(name) ?? 0) + n);
}

function addUser(delta: BucketDelta, userField: string, userId: string): void {
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
 * Pre-aggregates a batch in memory so Redis sees one increment per (bucket, field) instead of one per event. The
 * per-event arithmetic is `incrementOf`, the same fold the in-memory twin applies.
 */
export function foldBatch(events: readonly TelemetryEvent[]): BatchDelta {
  const minutes = new Map<number, BucketDelta>();
  const byPlatform = new Map<Platform, { attempts: number; failures: number }>();
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
    const platform = byPlatform.get(event.platform) ?? { attempts: 0, failures: 0 };
    platform.attempts += attempts;
    platform.failures += failures;
    byPlatform.set(event.platform, platform);
  }
  return { minutes, hours: rollUp(minutes), byPlatform };
}

/** The users of the whole app, the only ones rolled up per hour. */
const HOURLY_USER_FIELDS = [field('u'), field('fu')];

/** Hourly roll-ups: the same increments merged per hour, and the whole app's user sets. */
function rollUp(minutes: Map<number, BucketDelta>): Map<number, BucketDelta> {
  const hours = new Map<number, BucketDelta>();
  for (const [minute, delta] of minutes) {
    const hour = bucketOf(hours, minute - (minute % HOUR_MS));
    for (const [name, n] of delta.fields) add(hour, name, n);
    for (const userField of HOURLY_USER_FIELDS) {
      const ids = delta.users.get(userField);
      if (ids) for (const id of ids) addUser(hour, userField, id);
    }
  }
  return hours;
}
