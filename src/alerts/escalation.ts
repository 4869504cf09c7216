import type { Queue } from 'bullmq';
import type { Clock } from '../clock';
import type { Channel } from '../domain/types';
import type { Logger } from '../logger';
import type { EscalateJob } from '../queue/names';
import type { Enqueuer } from '../queue/queues';
import type { ChannelStore, IncidentStore } from '../store/ports';
import type { Dispatcher } from './dispatch';
import { DEDUP_RETENTION, escalateJobId, occurrenceOf } from './keys';
import { redactUrl } from './notification';
import type { OnceMarkers } from './once';
import { noteOnce } from './timeline';

/** Pages repeat at most this many times per channel and occurrence; past it, someone has to look at the timeline. */
export const MAX_ESCALATION_LEVEL = 3;

export interface EscalatorDeps {
  jobs: Enqueuer;
  /** Pending escalations are removed from it when the incident is acknowledged or resolved. */
  escalateQueue: Pick<Queue<EscalateJob>, 'remove'>;
  dispatcher: Dispatcher;
  channels: Pick<ChannelStore, 'get'>;
  incidents: Pick<IncidentStore, 'get' | 'update'>;
  markers: OnceMarkers;
  clock: Clock;
  logger: Logger;
}

export type EscalationResult = 'escalated' | 'held' | 'no longer open' | 'channel deleted';

/**
 * "Keep paging until someone acknowledges": a delayed job per (incident, occurrence, channel, level), fired after the
 * channel's escalateAfterMinutes. When it fires the incident is read again, so an acknowledgement that raced the
 * cancellation still wins.
 */
export class Escalator {
  constructor(private readonly deps: EscalatorDeps) {}

  async schedule(incidentId: string, channel: Channel, occurrence: number, level: number): Promise<void> {
    if (channel.escalateAfterMinutes === null || level > MAX_ESCALATION_LEVEL) return;
    await this.deps.jobs.enqueue(
      'escalate',
      { incidentId, channelId: channel.id, occurrence, level },
      {
        jobId: escalateJobId(channel.id, incidentId, occurrence, level),
        delay: Math.round(channel.escalateAfterMinutes * 60_000),
        ...DEDUP_RETENTION,
      },
    );
  }

  /** Removes the pending escalations of this occurrence; an active one finds the incident no longer open. */
  async cancel(incidentId: string, channels: Channel[], occurrence: number): Promise<void> {
    const ids = channels
      .filter((c) => c.escalateAfterMinutes !== null)
      .flatMap((c) => Array.from({ length: MAX_ESCALATION_LEVEL }, (_, i) => escalateJobId(c.id, incidentId, occurrence, i + 1)));
    await Promise.all(ids.map((id) => this.deps.escalateQueue.remove(id)));
  }

  async fire(job: EscalateJob): Promise<EscalationResult> {
    const { incidents, channels, dispatcher, clock } = this.deps;
    const [incident, channel] = await Promise.all([incidents.get(job.incidentId), channels.get(job.channelId)]);
    if (!incident || incident.status !== 'open' || occurrenceOf(incident) !== job.occurrence) return 'no longer open';
    if (!channel) return 'channel deleted';
    const now = clock.now();
    const outcome = await dispatcher.dispatch(incident, [channel], {
      event: 'incident.escalated',
      occurrence: job.occurrence,
      occurredAt: now,
      level: job.level,
    });
    // Schedule the next level even when silenced: if the silence ends first, nobody has acknowledged yet.
    await this.schedule(incident.id, channel, job.occurrence, job.level + 1);
    if (outcome.get(channel.id) !== 'queued') return 'held';
    const minutes = (channel.escalateAfterMinutes ?? 0) * job.level;
    await noteOnce(this.deps, `escalated-${channel.id}-${incident.id}-${job.occurrence}-L${job.level}`, incident.id, {
      at: now,
      type: 'escalated',
      message: `Not acknowledged after ${formatMinutes(minutes)}: escalation level ${job.level} paged ${channel.type} ${redactUrl(channel.url)}`,
    });
    this.deps.logger.info({ incidentId: incident.id, channelId: channel.id, level: job.level }, 'incident escalated');
    return 'escalated';
  }
}

function formatMinutes(minutes: number): string {
  return minutes >= 1 ? `${Math.round(minutes * 10) / 10} min` : `${Math.round(minutes * 60)} s`;
}
