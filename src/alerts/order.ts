import type { RedisClient } from '../queue/connection';
import type { NotifyEvent } from '../queue/names';
import { DEDUP_RETENTION_SECONDS } from './keys';

/**
 * Where a notification stands in its incident's story, per channel: later occurrences after earlier ones, and within
 * one occurrence opened < escalated (by level) < acknowledged < resolved. A reopened incident's trigger outranks the
 * old resolve, so a relapse pages again; a retried trigger of the same occurrence does not outrank its resolve.
 */
const STAGE: Record<NotifyEvent, number> = {
  'incident.opened': 0,
  // Levels 1..MAX_ESCALATION_LEVEL (3) sit between 0 and the acknowledgement.
  'incident.escalated': 0,
  'incident.acknowledged': 50,
  'incident.resolved': 51,
};
const STAGES_PER_OCCURRENCE = 64;

export function rankOf(n: { event: NotifyEvent; occurrence: number; level?: number | undefined }): number {
  const stage = STAGE[n.event] + (n.event === 'incident.escalated' ? (n.level ?? 1) : 0);
  return n.occurrence * STAGES_PER_OCCURRENCE + stage;
}

/** A rank in words, for the timeline note of a skipped notification. */
export function describeRank(rank: number): string {
  const occurrence = Math.floor(rank / STAGES_PER_OCCURRENCE);
  const stage = rank % STAGES_PER_OCCURRENCE;
  const event =
    stage === STAGE['incident.resolved']
      ? 'incident.resolved'
      : stage === STAGE['incident.acknowledged']
        ? 'incident.acknowledged'
        : stage === 0
          ? 'incident.opened'
          : `incident.escalated (level ${stage})`;
  return `${event} of occurrence ${occurrence}`;
}

/**
 * Takes the (incident, channel) turn, unless this notification was already accepted or a newer state was delivered.
 * KEYS: mark (the highest rank delivered), turn (who is sending now), sent (this notification was accepted).
 * ARGV: rank, token, turn ttl ms. A rank of NaN (a job queued before notifications carried their occurrence) is
 * neither older nor newer than anything: such a job is delivered in turn, unordered, as it was before.
 */
const BEGIN = `
if redis.call('EXISTS', KEYS[3]) == 1 then return {'sent', 0} end
local mark = tonumber(redis.call('GET', KEYS[1]) or '-1')
if mark > tonumber(ARGV[1]) then return {'stale', mark} end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return {'go', mark} end
return {'busy', redis.call('PTTL', KEYS[2])}
`;

/**
 * Gives the turn back; when the POST was accepted (ARGV[1] = 1), in the same step marks the notification sent and
 * raises the mark to its rank (ARGV[2]). ARGV[3]: token, ARGV[4]: how long both are kept.
 */
const FINISH = `
if ARGV[1] == '1' then
  redis.call('SET', KEYS[3], '1', 'EX', ARGV[4])
  if tonumber(ARGV[2]) > tonumber(redis.call('GET', KEYS[1]) or '-1') then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[4]) end
end
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
`;

/** One notification to one channel, as the order sees it. */
export interface Slot {
  incidentId: string;
  channelId: string;
  dedupKey: string;
  rank: number;
}

export type Turn = { kind: 'go' } | { kind: 'sent' } | { kind: 'stale'; newer: number } | { kind: 'busy'; turnExpiresInMs: number };

/**
 * How long a job that found the turn taken waits before trying again: short at first (most POSTs take milliseconds,
 * and a waiting page should not lose its place to a later one), doubling with each start up to 2 s, and never longer
 * than the turn can last.
 */
export function turnWaitMs(turnExpiresInMs: number, starts: number): number {
  return Math.max(50, Math.min(turnExpiresInMs, 2000, 50 * 2 ** Math.min(starts, 6)));
}

/**
 * "Never deliver a state older than the latest delivered", per (incident, channel). Each notification is its own
 * job, so a trigger retried after a 429 can reach PagerDuty after the acknowledge and resolve and re-open the alert.
 * Checking a mark before the POST is not enough (two jobs can both pass the check, and the older one's POST land
 * last), so one delivery per (incident, channel) runs at a time: the job takes a turn in the same Lua script that
 * compares the mark, POSTs, then marks itself sent, raises the mark and gives the turn back. A turn expires by itself after the POST's
 * deadline, so a worker that dies holding it delays the next delivery rather than blocking it.
 */
export class DeliveryOrder {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** Longer than a POST may take. */
    private readonly turnTtlMs: number,
  ) {}

  private keys(slot: Slot): [string, string, string] {
    // One hash tag: the keys live in one Redis Cluster slot, as a script's keys must.
    const base = `${this.prefix}:alerts:order:{${slot.incidentId}-${slot.channelId}}`;
    return [`${base}:mark`, `${base}:turn`, `${base}:sent:${slot.dedupKey}`];
  }

  async begin(slot: Slot, token: string): Promise<Turn> {
    const [kind, value] = (await this.redis.eval(BEGIN, 3, ...this.keys(slot), slot.rank, token, this.turnTtlMs)) as [string, number];
    if (kind === 'sent') return { kind };
    if (kind === 'stale') return { kind, newer: value };
    if (kind === 'busy') return { kind, turnExpiresInMs: value };
    return { kind: 'go' };
  }

  /**
   * After the POST: `accepted` marks the notification sent and raises the mark, in one step, so a job re-run after
   * a crash (or a stall) never mistakes its own delivery for a newer one. Either way the turn is given back.
   */
  async finish(slot: Slot, accepted: boolean, token: string): Promise<void> {
    await this.redis.eval(FINISH, 3, ...this.keys(slot), accepted ? 1 : 0, slot.rank, token, DEDUP_RETENTION_SECONDS);
  }
}
