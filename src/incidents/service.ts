import type { Clock } from '../clock';
import type { Finding, Signal } from '../domain/detector/signals';
import {
  acknowledgeEntry,
  canTransition,
  isMaterialUpdate,
  newIncidentFrom,
  noteEntry,
  patchFrom,
  publicMessageEntry,
  reopenEntry,
  resolveEntry,
  severityEntry,
  transitionSources,
} from '../domain/incident-machine';
import type { Incident, Severity, TimelineEntry } from '../domain/types';
import { conflict, notFound, unavailable, VigilError } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { IncidentFilter, IncidentStore } from '../store/ports';
import type { IncidentEventName, IncidentListener } from './listener';

export interface IncidentServiceDeps {
  incidents: IncidentStore;
  /** Told in order after each store write (notifier, postmortem drafter). */
  listeners: IncidentListener[];
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** How far back a relapse looks for the incident to reopen; at least the detector's cool-down. */
  reopenWindowMs?: number;
}

export interface OperatorPatch {
  /** null: back to the generic message users see. */
  publicMessage?: string | null;
  severity?: Severity;
}

type OperatorTarget = Extract<IncidentEventName, 'acknowledged' | 'resolved'>;

const DEFAULT_REOPEN_WINDOW_MS = 6 * 3_600_000;

/**
 * The incident use cases: what the detector's signals and the operators' actions do to incidents. Decisions come from
 * the pure state machine; the store enforces the invariants (one open incident per fingerprint, compare-and-set), so
 * every method here is safe to repeat after a crash or a retry.
 */
export class IncidentService {
  private readonly reopenWindowMs: number;
  /** Label sets the open-incidents gauge has reported, so a fully resolved app/kind drops to 0 instead of vanishing. */
  private readonly gaugeSeries = new Map<string, { app: string; kind: string }>();

  constructor(private readonly deps: IncidentServiceDeps) {
    this.reopenWindowMs = deps.reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS;
  }

  async applySignals(app: string, signals: Signal[], now: number): Promise<void> {
    for (const signal of signals) await this.applySignal(app, signal, now);
    if (signals.some((s) => s.type !== 'update')) await this.refreshOpenGauge();
  }

  async get(id: string): Promise<Incident> {
    const incident = await this.deps.incidents.get(id);
    if (!incident) throw notFound(`Incident ${id}`);
    return incident;
  }

  list(filter: IncidentFilter): Promise<{ incidents: Incident[]; nextCursor?: string }> {
    return this.deps.incidents.list(filter);
  }

  acknowledge(id: string, by: string): Promise<Incident> {
    return this.operatorTransition(id, 'acknowledged', by, (at) => acknowledgeEntry(at, by));
  }

  resolve(id: string, by: string, note?: string): Promise<Incident> {
    return this.operatorTransition(id, 'resolved', by, (at) => resolveEntry(at, by, note));
  }

  async addNote(id: string, by: string, text: string): Promise<Incident> {
    const at = this.deps.clock.now();
    return this.updated(id, await this.deps.incidents.update(id, { at, timeline: [noteEntry(text, at, by)] }));
  }

  async patch(id: string, change: OperatorPatch, by: string): Promise<Incident> {
    const current = await this.get(id);
    const at = this.deps.clock.now();
    const timeline: TimelineEntry[] = [];
    if (change.severity !== undefined && change.severity !== current.severity) {
      timeline.push(severityEntry(current.severity, change.severity, at, by));
    }
    if (change.publicMessage !== undefined && change.publicMessage !== current.publicMessage) {
      timeline.push(publicMessageEntry(change.publicMessage, at, by));
    }
    if (timeline.length === 0) return current;
    return this.updated(id, await this.deps.incidents.update(id, { at, patch: change, timeline }));
  }

  /**
   * Sets the open-incidents gauge from the store. Called after every status change and once at start; a failure
   * only costs a stale gauge, never the change itself.
   */
  async refreshOpenGauge(): Promise<void> {
    try {
      const counts = new Map<string, number>();
      for (const incident of await this.deps.incidents.listUnresolved()) {
        const key = `${incident.app}/${incident.kind}`;
        this.gaugeSeries.set(key, { app: incident.app, kind: incident.kind });
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, labels] of this.gaugeSeries) this.deps.metrics.openIncidents.set(labels, counts.get(key) ?? 0);
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not refresh the open-incidents gauge');
    }
  }

  private applySignal(app: string, signal: Signal, now: number): Promise<void> {
    switch (signal.type) {
      case 'open':
        return this.open(app, signal.finding, signal.at);
      case 'update':
        return this.update(app, signal.finding, signal.at);
      case 'resolve':
        return this.resolveDetected(app, signal.finding, signal.at, now);
      case 'reopen':
        return this.reopen(app, signal.finding, signal.at, now);
    }
  }

  private async open(app: string, finding: Finding, at: number): Promise<void> {
    const { incident } = await this.deps.incidents.open(newIncidentFrom(app, finding, at));
    // Told even when it already existed: a crash may have come between opening it and telling the listeners.
    await this.tell('opened', incident);
  }

  private async update(app: string, finding: Finding, at: number): Promise<void> {
    const current = await this.deps.incidents.findOpen(app, finding.fingerprint);
    // Nothing open: an operator resolved it while the anomaly lasted. Their call stands until a relapse is detected.
    if (!current) return;
    const next = patchFrom(finding);
    if (!isMaterialUpdate(current, next)) return;
    const timeline = current.severity === next.severity ? [] : [severityEntry(current.severity, next.severity, at)];
    await this.deps.incidents.update(current.id, { at, patch: next, timeline });
  }

  private async resolveDetected(app: string, finding: Finding, at: number, now: number): Promise<void> {
    const { incidents } = this.deps;
    const open = await incidents.findOpen(app, finding.fingerprint);
    const incident = open
      ? ((await incidents.transition(open.id, {
          from: transitionSources('resolved'),
          to: 'resolved',
          at,
          timeline: [resolveEntry(at)],
        })) ?? (await incidents.get(open.id)))
      : await incidents.findRecentlyResolved(app, finding.fingerprint, now - this.reopenWindowMs);
    // Resolved already (by an operator racing us, or by this signal before a crash): told again, idempotently.
    if (incident?.status === 'resolved') await this.tell('resolved', incident);
  }

  private async reopen(app: string, finding: Finding, at: number, now: number): Promise<void> {
    const reopened = await this.reopenRecent(app, finding, at, now);
    if (reopened) await this.tell('reopened', reopened);
    else await this.open(app, finding, at);
  }

  /** The relapsed incident, open again; null when there is none to reopen (resolved too long ago, or never stored). */
  private async reopenRecent(app: string, finding: Finding, at: number, now: number): Promise<Incident | null> {
    const { incidents } = this.deps;
    // Already open: this signal was applied before a crash, or another worker got there first.
    const open = await incidents.findOpen(app, finding.fingerprint);
    if (open) return open;
    const previous = await incidents.findRecentlyResolved(app, finding.fingerprint, now - this.reopenWindowMs);
    if (!previous) return null;
    const reopened = await incidents.transition(previous.id, {
      from: ['resolved'],
      to: 'open',
      at,
      patch: patchFrom(finding),
      timeline: [reopenEntry(finding, at)],
    });
    return reopened ?? (await incidents.findOpen(app, finding.fingerprint));
  }

  private async operatorTransition(
    id: string,
    to: OperatorTarget,
    by: string,
    entry: (at: number) => TimelineEntry,
  ): Promise<Incident> {
    const current = await this.get(id);
    // Asking for the state it is already in is a retry (a double click, a 503 after a listener failed): the
    // listeners are told again rather than the caller refused.
    if (current.status === to) {
      await this.tell(to, current);
      return current;
    }
    if (!canTransition(current.status, to)) {
      throw conflict(`Incident ${id} is ${current.status}: it cannot be ${to}`, { status: current.status });
    }
    const at = this.deps.clock.now();
    const changed = await this.deps.incidents.transition(id, { from: transitionSources(to), to, at, by, timeline: [entry(at)] });
    // Lost a race with the detector or another operator: judge again against the status that won.
    if (!changed) return this.operatorTransition(id, to, by, entry);
    if (to === 'resolved') await this.refreshOpenGauge();
    await this.tell(to, changed);
    return changed;
  }

  private updated(id: string, incident: Incident | null): Incident {
    if (!incident) throw notFound(`Incident ${id}`);
    return incident;
  }

  private async tell(event: IncidentEventName, incident: Incident): Promise<void> {
    const log = this.deps.logger.child({ app: incident.app, incidentId: incident.id, event });
    log.info({ status: incident.status, severity: incident.severity }, `incident ${event}`);
    for (const listener of this.deps.listeners) {
      try {
        await listener(event, incident);
      } catch (err) {
        log.error({ err }, 'incident listener failed; the change is saved and the listeners are told again on retry');
        if (err instanceof VigilError && err.retryable) throw err;
        throw unavailable(`Incident ${incident.id} was ${event}, but a follow-up (notification, postmortem) failed; retry`);
      }
    }
  }
}
