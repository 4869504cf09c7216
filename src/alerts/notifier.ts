import type { Clock } from '../clock';
import type { IncidentListener } from '../incidents/listener';
import type { Dispatcher } from './dispatch';
import type { Escalator } from './escalation';
import { occurrenceDetectedAt, occurrenceOf } from './keys';

/**
 * The incident service's listener that pages: opened/reopened → `incident.opened` to every matching channel and the
 * first escalation scheduled; acknowledged/resolved → escalations cancelled and the news sent. Idempotent: every job
 * id and timeline marker derives from (incident, event, occurrence, channel), so a re-told event changes nothing.
 */
export function createNotifier(deps: { dispatcher: Dispatcher; escalator: Escalator; clock: Clock }): IncidentListener {
  const { dispatcher, escalator, clock } = deps;
  return async (event, incident) => {
    const channels = await dispatcher.channelsFor(incident);
    const occurrence = occurrenceOf(incident);
    switch (event) {
      case 'opened':
      case 'reopened': {
        await dispatcher.dispatch(incident, channels, { event: 'incident.opened', occurrence, occurredAt: occurrenceDetectedAt(incident) });
        for (const channel of channels) await escalator.schedule(incident.id, channel, occurrence, 1);
        return;
      }
      case 'acknowledged':
      case 'resolved':
        // Either ends the paging: pending escalations go, and every channel hears how it ended.
        await escalator.cancel(incident.id, channels, occurrence);
        await dispatcher.dispatch(incident, channels, {
          event: `incident.${event}`,
          occurrence,
          occurredAt: (event === 'acknowledged' ? incident.acknowledgedAt : incident.resolvedAt) ?? clock.now(),
        });
        return;
    }
  };
}
