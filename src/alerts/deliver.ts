import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { Channel, Incident } from '../domain/types';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { DeliverJob } from '../queue/names';
import type { ChannelStore, IncidentStore } from '../store/ports';
import type { AckLinks } from './ack-link';
import { FORMATTERS } from './formatters';
import { redactUrl, type Notification } from './notification';
import type { OnceMarkers } from './once';
import { describeRank, rankOf, turnWaitMs, type DeliveryOrder, type Slot } from './order';
import { decideOutcome, retryOutcome, type AttemptInfo, type DeliveryOutcome } from './outcome';
import { post, type ResolveAll } from './post';
import { noteOnce } from './timeline';

export interface DelivererDeps {
  channels: Pick<ChannelStore, 'get'>;
  incidents: Pick<IncidentStore, 'get' | 'update'>;
  markers: OnceMarkers;
  order: DeliveryOrder;
  ackLinks: AckLinks;
  publicUrl: string;
  /** ALERT_ALLOW_PRIVATE_TARGETS. */
  allowPrivateTargets: boolean;
  /** DNS for channel host names; the system resolver unless a test plays a rebinding DNS server. */
  resolve?: ResolveAll;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Per POST, body included. */
  timeoutMs: number;
}

export const DELIVERY_TIMEOUT_MS = 10_000;

/** One try at one delivery job: what the job asks for and where it stands (workers/notify.ts fills it from BullMQ). */
export interface DeliveryAttempt extends AttemptInfo {
  job: DeliverJob;
}

/**
 * Delivers one notification to one channel: look up channel and incident (jobs carry ids, never secrets), take the
 * (incident, channel) turn unless a newer state was delivered there (order.ts), render, POST, and say what the job
 * should do next as a DeliveryOutcome. Timeline entries and metrics are written here, once per logical notification;
 * how BullMQ retries is workers/notify.ts's business.
 */
export class Deliverer {
  constructor(private readonly deps: DelivererDeps) {}

  async deliver(attempt: DeliveryAttempt): Promise<DeliveryOutcome> {
    const d = attempt.job;
    const delivered = `delivered-${d.channelId}-${d.dedupKey}`;
    const [channel, incident] = await Promise.all([this.deps.channels.get(d.channelId), this.deps.incidents.get(d.incidentId)]);
    const log = this.deps.logger.child({ incidentId: d.incidentId, channelId: d.channelId, event: d.event, dedupKey: d.dedupKey });
    if (!channel) {
      log.info('channel deleted before delivery; dropping the notification');
      return { kind: 'skip', reason: 'channel deleted' };
    }
    // Incidents are never deleted; a job naming an unknown one can never succeed, and there is no timeline to note it in.
    if (!incident) return { kind: 'refuse', reason: `incident ${d.incidentId} not found` };

    const ctx: NoteContext = {
      what: `${d.event}${d.level === undefined ? '' : ` (level ${d.level})`}`,
      where: `${channel.type} ${redactUrl(channel.url)}`,
      delivered,
      incidentId: incident.id,
      labels: { channel_type: channel.type },
    };
    const slot: Slot = { incidentId: incident.id, channelId: channel.id, dedupKey: d.dedupKey, rank: rankOf(d) };
    const token = randomUUID();
    const turn = await this.deps.order.begin(slot, token);
    if (turn.kind === 'sent') {
      // A job re-run after a crash (or a stall) that followed the channel accepting it: only the timeline may lack it.
      await this.note(delivered, ctx, `${ctx.what} sent to ${ctx.where}`, 'alerted');
      return { kind: 'skip', reason: 'already delivered' };
    }
    if (turn.kind === 'busy') {
      return retryOutcome('another notification of this incident is being sent to this channel', turnWaitMs(turn.turnExpiresInMs, attempt.starts), attempt);
    }
    if (turn.kind === 'stale') {
      const newer = describeRank(turn.newer);
      if (await this.note(`${delivered}-stale`, ctx, `${ctx.what} to ${ctx.where} skipped: ${newer} was already delivered there`)) {
        this.deps.metrics.notifications.inc({ ...ctx.labels, result: 'stale' });
      }
      log.info({ newer }, 'a newer state of the incident was already delivered to this channel; skipping');
      return { kind: 'skip', reason: `stale: ${newer} already delivered` };
    }

    const outcome = await this.sendInTurn(this.notification(d, incident, channel), slot, token, attempt);
    await this.record(outcome, ctx, attempt, d, log);
    return outcome;
  }

  /** Renders and POSTs while holding the turn; gives it back, marking the notification sent if the channel accepted. */
  private async sendInTurn(n: Notification, slot: Slot, token: string, attempt: AttemptInfo): Promise<DeliveryOutcome> {
    let accepted = false;
    try {
      const result = await post(FORMATTERS[n.channel.type](n), {
        timeoutMs: this.deps.timeoutMs,
        allowPrivate: this.deps.allowPrivateTargets,
        ...(this.deps.resolve ? { resolve: this.deps.resolve } : {}),
      });
      const outcome = decideOutcome(result, attempt, this.deps.clock.now());
      accepted = outcome.kind === 'sent';
      return outcome;
    } finally {
      await this.deps.order.finish(slot, accepted, token);
    }
  }

  /** The timeline, metrics and log of one outcome. */
  private async record(outcome: DeliveryOutcome, ctx: NoteContext, attempt: AttemptInfo, d: DeliverJob, log: Logger): Promise<void> {
    const { metrics, clock } = this.deps;
    switch (outcome.kind) {
      case 'sent':
        metrics.notifications.inc({ ...ctx.labels, result: 'sent' });
        metrics.notificationLatency.observe(ctx.labels, Math.max(0, clock.now() - d.occurredAt) / 1000);
        await this.note(ctx.delivered, ctx, `${ctx.what} sent to ${ctx.where}`, 'alerted');
        log.info({ attempt: attempt.attempt }, 'notification sent');
        return;
      case 'refuse':
        metrics.notifications.inc({ ...ctx.labels, result: 'failed' });
        await this.note(`${ctx.delivered}-refused`, ctx, `${ctx.what} to ${ctx.where} ${outcome.reason}`);
        log.warn({ reason: outcome.reason }, 'notification refused; not retrying');
        return;
      case 'giveUp':
        metrics.notifications.inc({ ...ctx.labels, result: 'failed' });
        await this.note(`${ctx.delivered}-gave-up`, ctx, `${ctx.what} to ${ctx.where} not delivered after ${attempt.attempt} attempts: ${outcome.reason}`);
        log.error({ reason: outcome.reason, attempt: attempt.attempt }, 'notification not delivered; giving up');
        return;
      case 'retry':
        metrics.notifications.inc({ ...ctx.labels, result: 'retry' });
        log.warn({ reason: outcome.reason, attempt: attempt.attempt, retryAfterMs: outcome.afterMs }, 'notification not delivered; will retry');
        return;
      case 'skip':
        return;
    }
  }

  private note(marker: string, ctx: NoteContext, message: string, type: 'alerted' | 'note' = 'note'): Promise<boolean> {
    return noteOnce(this.deps, marker, ctx.incidentId, { at: this.deps.clock.now(), type, message });
  }

  private notification(d: DeliverJob, incident: Incident, channel: Channel): Notification {
    return {
      event: d.event,
      dedupKey: d.dedupKey,
      occurredAt: d.occurredAt,
      sentAt: this.deps.clock.now(),
      level: d.level,
      incident,
      channel,
      ackUrl: this.deps.ackLinks.url(incident.id),
      incidentUrl: `${this.deps.publicUrl}/v1/incidents/${encodeURIComponent(incident.id)}`,
    };
  }
}

interface NoteContext {
  /** "incident.escalated (level 2)" */
  what: string;
  /** "webhook https://hooks.example.com/…": the channel, its URL redacted. */
  where: string;
  /** The marker of the `alerted` entry; other entries derive theirs from it. */
  delivered: string;
  incidentId: string;
  labels: { channel_type: string };
}
