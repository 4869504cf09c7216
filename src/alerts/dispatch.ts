import type { Clock } from '../clock';
import { SEVERITIES, type Channel, type Incident, type Severity } from '../domain/types';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { DeliverJob, NotifyEvent } from '../queue/names';
import type { Enqueuer } from '../queue/queues';
import type { ChannelStore, IncidentStore, SilenceStore } from '../store/ports';
import { DEDUP_RETENTION, dedupKeyOf, deliverJobId } from './keys';
import type { OnceMarkers } from './once';
import { noteOnce } from './timeline';

export interface DispatcherDeps {
  channels: Pick<ChannelStore, 'list'>;
  silences: Pick<SilenceStore, 'findActive'>;
  incidents: Pick<IncidentStore, 'update'>;
  jobs: Enqueuer;
  markers: OnceMarkers;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

export interface NotificationIntent {
  event: NotifyEvent;
  occurrence: number;
  occurredAt: number;
  level?: number;
}

export type DispatchOutcome = 'queued' | 'held';

/** SEVERITIES lists the most severe first. */
const atLeast = (severity: Severity, min: Severity) => SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(min);

export function channelMatches(channel: Channel, incident: Incident): boolean {
  return (channel.apps === null || channel.apps.includes(incident.app)) && atLeast(incident.severity, channel.minSeverity);
}

/**
 * Routing and silencing (alertmanager's dispatch + silence stages): which channels hear of an incident, and whether a
 * silence holds the notification back. What passes becomes one `deliver` job per channel whose id is derived from the
 * notification, so telling the same event twice queues nothing new.
 */
export class Dispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  async channelsFor(incident: Incident): Promise<Channel[]> {
    return (await this.deps.channels.list()).filter((c) => channelMatches(c, incident));
  }

  async dispatch(incident: Incident, channels: Channel[], intent: NotificationIntent): Promise<Map<string, DispatchOutcome>> {
    const outcomes = new Map<string, DispatchOutcome>();
    if (channels.length === 0) return outcomes;
    const dedupKey = dedupKeyOf(incident.id, intent.event, intent.occurrence, intent.level);
    const [silence] = await this.deps.silences.findActive(incident.app, incident.kind, this.deps.clock.now());
    for (const channel of channels) {
      if (silence) {
        const held = await noteOnce(this.deps, `held-${channel.id}-${dedupKey}`, incident.id, {
          at: this.deps.clock.now(),
          type: 'note',
          message: `${intent.event}${intent.level === undefined ? '' : ` (level ${intent.level})`} notification to ${channel.type} held back by silence ${silence.id} (${silence.reason})`,
        });
        if (held) this.deps.metrics.notifications.inc({ channel_type: channel.type, result: 'silenced' });
        outcomes.set(channel.id, 'held');
        continue;
      }
      const job: DeliverJob = {
        incidentId: incident.id,
        channelId: channel.id,
        event: intent.event,
        dedupKey,
        occurrence: intent.occurrence,
        occurredAt: intent.occurredAt,
        ...(intent.level === undefined ? {} : { level: intent.level }),
      };
      await this.deps.jobs.enqueue('deliver', job, { jobId: deliverJobId(channel.id, dedupKey), ...DEDUP_RETENTION });
      outcomes.set(channel.id, 'queued');
    }
    this.deps.logger.debug({ incidentId: incident.id, event: intent.event, dedupKey, silenced: silence?.id }, 'notifications dispatched');
    return outcomes;
  }
}
