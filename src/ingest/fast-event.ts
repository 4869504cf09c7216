import { SLICE_VALUE_PATTERN } from '../counters/keys';
import type { LoginAggregate, LoginEvent, Platform, TelemetryEvent } from '../domain/types';
import { MAX_ERROR_CODES_PER_EVENT, MAX_EVENT_AGE_MS, MAX_EVENT_FUTURE_MS } from './limits';

/**
 * The hot path's validator: accepts exactly the events the zod schema (./event-schema.ts) accepts and returns the same
 * normalised event, in one pass without zod's per-check machinery, issue objects or intermediate copies. It has no
 * error messages: whatever it does not accept goes to the zod schema, which stays the single statement of the
 * contract and names the field. test/unit/ingest-fast-event.test.ts holds the two to the same answers on generated
 * events (fast-check); zod was most of the API's validation cost on the ingest bench.
 */

type Raw = Record<string, unknown>;

const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSlice = (v: unknown): v is string => typeof v === 'string' && SLICE_VALUE_PATTERN.test(v);
const isOptionalSlice = (v: unknown) => v === undefined || isSlice(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 1e9;
const isPlatform = (v: unknown): v is Platform => v === 'ios' || v === 'android';
const ISO_START = /^\d{4}-\d{2}-\d{2}T/;
// eslint-disable-next-line no-control-regex -- the same rule as the schema's UserId
const CONTROL = /[\x00-\x1f\x7f]/;
const isUserId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 256 && !CONTROL.test(v);

/** Epoch ms within the accepted window, or NaN. */
function timeOf(v: unknown, now: number): number {
  let ms = NaN;
  if (typeof v === 'number') ms = Number.isSafeInteger(v) && v >= 0 ? v : NaN;
  else if (typeof v === 'string' && v.length <= 40 && ISO_START.test(v)) ms = Date.parse(v);
  return ms >= now - MAX_EVENT_AGE_MS && ms <= now + MAX_EVENT_FUTURE_MS ? ms : NaN;
}

function login(e: Raw, now: number): LoginEvent | undefined {
  const ts = timeOf(e.ts, now);
  const { outcome, errorCode, appVersion, platform, osVersion, region, userId } = e;
  if (Number.isNaN(ts) || (outcome !== 'success' && outcome !== 'failure') || !isSlice(appVersion) || !isPlatform(platform)) return undefined;
  if (!isOptionalSlice(errorCode) || !isOptionalSlice(osVersion) || !isOptionalSlice(region)) return undefined;
  if (userId !== undefined && !isUserId(userId)) return undefined;
  const event: LoginEvent = { type: 'login', ts, outcome, appVersion, platform };
  if (errorCode !== undefined) event.errorCode = errorCode;
  if (osVersion !== undefined) event.osVersion = osVersion;
  if (region !== undefined) event.region = region;
  if (userId !== undefined) event.userId = userId;
  return event;
}

/** The codes' sum, or NaN when the record is not one the schema takes. */
function codesSum(codes: unknown): number {
  if (!isRecord(codes)) return NaN;
  let sum = 0;
  let n = 0;
  for (const code in codes) {
    const count = codes[code];
    if (!Object.hasOwn(codes, code) || !isSlice(code) || !isCount(count) || ++n > MAX_ERROR_CODES_PER_EVENT) return NaN;
    sum += count;
  }
  return sum;
}

function aggregate(e: Raw, now: number): LoginAggregate | undefined {
  const minute = timeOf(e.minute, now);
  const { attempts, failures, users, failedUsers, failuresByErrorCode, appVersion, platform, osVersion, region } = e;
  if (Number.isNaN(minute) || !isCount(attempts) || !isCount(failures) || failures > attempts) return undefined;
  if ((users !== undefined && !isCount(users)) || (failedUsers !== undefined && !isCount(failedUsers))) return undefined;
  if (users !== undefined && failedUsers !== undefined && (failedUsers) > (users)) return undefined;
  if (!isSlice(appVersion) || !isPlatform(platform) || !isOptionalSlice(osVersion) || !isOptionalSlice(region)) return undefined;
  const event: LoginAggregate = { type: 'login_aggregate', minute, attempts, failures, appVersion, platform };
  if (failuresByErrorCode !== undefined) {
    // Not `!(sum <= failures)` inverted: NaN (a bad record) must fail too.
    if (!(codesSum(failuresByErrorCode) <= failures)) return undefined;
    event.failuresByErrorCode = failuresByErrorCode as Record<string, number>;
  }
  if (users !== undefined) event.users = users;
  if (failedUsers !== undefined) event.failedUsers = failedUsers;
  if (osVersion !== undefined) event.osVersion = osVersion;
  if (region !== undefined) event.region = region;
  return event;
}

/** The normalised event when the schema would accept `raw` at `now`; undefined when only the schema can say why not. */
export function fastEvent(raw: unknown, now: number): TelemetryEvent | undefined {
  if (!isRecord(raw)) return undefined;
  if (raw.type === 'login') return login(raw, now);
  if (raw.type === 'login_aggregate') return aggregate(raw, now);
  return undefined;
}
