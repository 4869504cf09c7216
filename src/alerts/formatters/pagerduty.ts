import type { Severity } from '../../domain/types';
import { describeCause, describeImpact } from '../../domain/incident-machine';
import type { NotifyEvent } from '../../queue/names';
import { pagerDutyDedupKey } from '../keys';
import { JSON_HEADERS, type Formatter } from '../notification';
import { truncate } from './text';

const PD_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning'> = {
  critical: 'critical',
  major: 'error',
  minor: 'warning',
};

const ACTION: Record<NotifyEvent, 'trigger' | 'acknowledge' | 'resolve'> = {
  'incident.opened': 'trigger',
  // Same dedup_key: PagerDuty adds the escalation to the alert it already has instead of opening another.
  'incident.escalated': 'trigger',
  'incident.acknowledged': 'acknowledge',
  'incident.resolved': 'resolve',
};

/** PagerDuty caps the summary at 1024 characters. */
export const PAGERDUTY_SUMMARY_MAX = 1024;

/** Events API v2. Acknowledge and resolve only need the dedup_key; triggers carry the payload and links. */
export const formatPagerDuty: Formatter = (n) => {
  const { incident } = n;
  const base = {
    routing_key: n.channel.routingKey ?? '',
    event_action: ACTION[n.event],
    dedup_key: pagerDutyDedupKey(incident.id),
  };
  const event =
    base.event_action !== 'trigger'
      ? base
      : {
          ...base,
          payload: {
            summary: truncate(`${n.level === undefined ? '' : `[escalation ${n.level}] `}${incident.title}`, PAGERDUTY_SUMMARY_MAX),
            source: `vigil/${incident.app}`,
            severity: PD_SEVERITY[incident.severity],
            timestamp: new Date(n.occurredAt).toISOString(),
            component: 'login',
            group: incident.app,
            class: incident.kind,
            custom_details: {
              impact: describeImpact(incident.impact),
              suspected_cause: describeCause(incident.suspectedCause),
              started_at: new Date(incident.startedAt).toISOString(),
              vigil_incident: incident.id,
              vigil_dedup_key: n.dedupKey,
            },
          },
          links: [
            { href: n.ackUrl, text: 'Acknowledge in Vigil' },
            { href: n.incidentUrl, text: 'Incident in Vigil' },
          ],
        };
  return { url: n.channel.url, headers: { ...JSON_HEADERS }, body: JSON.stringify(event) };
};
