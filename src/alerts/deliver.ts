import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
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
import type { DeliveryResult } from './outcome';
import { post } from './post';
import { noteOnce } from './timeline';

export interface DelivererDeps {
  channels: Pick<ChannelStore, 'get'>;
  incidents: Pick<IncidentStore, 'get' | 'update'>;
  markers: OnceMarkers;
  ackLinks: AckLinks;
  publicUrl: string;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Per POST, body included. */
  timeoutMs?: number;
}

export const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * Waiting for a receiver's Retry-After does not use up an attempt (BullMQ's moveToDelayed skips the count), so a
 * receiver that keeps asking to wait is bounded by how often the job may start at all; past this, waits count.
 */
export const MAX_STARTS_HONOURING_RETRY_AFTER = 24;

/** What finished a delivery job without sending: kept as the job's return value for debugging. */
export type DeliverySkip = 'already delivered' | 'channel deleted';

/**
 * Delivers one notification to one channel: look up channel and incident (jobs carry ids, never secrets), render,
 * POST, then decide — sent, retry (after the receiver's Retry-After, else BullMQ's exponential backoff with jitter),
 * or refused for good (UnrecoverableError). Timeline entries are written once per logical notification.
 */
export class Deliverer {
  private readonly timeoutMs: number;

  constructor(private readonly deps: DelivererDeps) {
    this.timeoutMs = deps.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  }

  async process(job: Job<DeliverJob>, token: string | undefined): Promise<'sent' | DeliverySkip> {
    const d = job.data;
    const delivered = `delivered-${d.channelId}-${d.dedupKey}`;
    // A job re-run after a crash that followed a successful POST: the receiver already has it.
    if (await this.deps.markers.has(delivered)) return 'already delivered';

    const [channel, incident] = await Promise.all([this.deps.channels.get(d.channelId), this.deps.incidents.get(d.incidentId)]);
    const log = this.deps.logger.child({ incidentId: d.incidentId, channelId: d.channelId, event: d.event, dedupKey: d.dedupKey });
    if (!channel) {
      log.info('channel deleted before delivery; dropping the notification');
      return 'channel deleted';
    }
    if (!incident) throw new UnrecoverableError(`incident ${d.incidentId} not found`);

    const result = await post(FORMATTERS[channel.type](this.notification(d, incident, channel)), this.timeoutMs, () => this.deps.clock.now());
    const what = `${d.event}${d.level === undefined ? '' : ` (level ${d.level})`}`;
    const where = `${channel.type} ${redactUrl(channel.url)}`;
    const attempt = job.attemptsMade + 1;
    const labels = { channel_type: channel.type };

    if (result.ok) {
      this.deps.metrics.notifications.inc({ ...labels, result: 'sent' });
      this.deps.metrics.notificationLatency.observe(labels, Math.max(0, this.deps.clock.now() - d.occurredAt) / 1000);
      await this.note(delivered, incident.id, 'alerted', `${what} sent to ${where}`);
      log.info({ attempt }, 'notification sent');
      return 'sent';
    }
    return this.fail(job, token, result, { target: `${what} to ${where}`, delivered, incidentId: incident.id, attempt, labels, log });
  }

  private async fail(
    job: Job<DeliverJob>,
    token: string | undefined,
    result: Extract<DeliveryResult, { ok: false }>,
    ctx: { target: string; delivered: string; incidentId: string; attempt: number; labels: { channel_type: string }; log: Logger },
  ): Promise<never> {
    const { metrics } = this.deps;
    if (!result.retry) {
      metrics.notifications.inc({ ...ctx.labels, result: 'failed' });
      await this.note(`${ctx.delivered}-refused`, ctx.incidentId, 'note', `${ctx.target} refused by the channel: ${result.reason}`);
      ctx.log.warn({ reason: result.reason }, 'channel refused the notification; not retrying');
      throw new UnrecoverableError(result.reason);
    }
    if (ctx.attempt >= (job.opts.attempts ?? 1)) {
      metrics.notifications.inc({ ...ctx.labels, result: 'failed' });
      await this.note(`${ctx.delivered}-gave-up`, ctx.incidentId, 'note', `${ctx.target} not delivered after ${ctx.attempt} attempts: ${result.reason}`);
      ctx.log.error({ reason: result.reason, attempt: ctx.attempt }, 'notification not delivered; giving up');
      throw new Error(result.reason);
    }
    metrics.notifications.inc({ ...ctx.labels, result: 'retry' });
    ctx.log.warn({ reason: result.reason, attempt: ctx.attempt, retryAfterMs: result.retryAfterMs }, 'notification not delivered; will retry');
    if (result.retryAfterMs !== undefined && token !== undefined && job.attemptsStarted <= MAX_STARTS_HONOURING_RETRY_AFTER) {
      await job.moveToDelayed(Date.now() + result.retryAfterMs, token);
      throw new DelayedError(`retry after ${result.retryAfterMs} ms as the channel asked: ${result.reason}`);
    }
    throw new Error(result.reason);
  }

  private note(marker: string, incidentId: string, type: 'alerted' | 'note', message: string): Promise<boolean> {
    return noteOnce(this.deps, marker, incidentId, { at: this.deps.clock.now(), type, message });
  }

  private notification(d: DeliverJob, incident: Incident, channel: Channel): Notification {
    return {
      event: d.event,
      dedupKey: d.dedupKey,
      occurredAt: d.occurredAt,
      level: d.level,
      incident,
      channel,
      ackUrl: this.deps.ackLinks.url(incident.id),
      incidentUrl: `${this.deps.publicUrl}/v1/incidents/${encodeURIComponent(incident.id)}`,
    };
  }
}
