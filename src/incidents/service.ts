import type { Clock } from '../clock';
import type { Signal } from '../domain/detector/signals';
import {
  acknowledgeEntry,
  canTransition,
  changeForSignal,
  looksBack,
  newIncidentFrom,
  noteEntry,
  publicMessageEntry,
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

  /** Reads what the store holds for the signal's fingerprint, asks the incident machine what changes, and writes it. */
  private async applySignal(app: string, signal: Signal, now: number): Promise<void> {
    const { incidents } = this.deps;
    const fingerprint = signal.finding.fingerprint;
    const open = await incidents.findOpen(app, fingerprint);
    const recentlyResolved =
      open || !looksBack(signal) ? null : await incidents.findRecentlyResolved(app, fingerprint, now - this.reopenWindowMs);
    const change = changeForSignal(app, signal, { open, recentlyResolved });
    switch (change.type) {
      case 'none':
        return;
      case 'open': {
        // The unique index decides a race with another worker: then the winner's incident is told (again).
        const { incident } = await incidents.open(change.incident);
        return this.tell('opened', incident);
      }
      case 'update':
        await incidents.update(change.id, { at: signal.at, patch: change.patch, timeline: change.timeline });
        return;
      case 'retell': {
        const incident = open ?? recentlyResolved;
        if (incident) await this.tell(change.event, incident);
        return;
      }
      case 'transition': {
        const { id, from, to, patch, timeline, event } = change;
        const changed = await incidents.transition(id, { from, to, at: signal.at, ...(patch ? { patch } : {}), timeline });
        if (changed) return this.tell(event, changed);
        // Lost a race. A resolve: an operator resolved it first, told again. A reopen: another worker reopened it
        // first (told again), or it is gone from the window (the relapse opens a new incident).
        if (to === 'resolved') {
          const current = await incidents.get(id);
          if (current?.status === 'resolved') await this.tell(event, current);
          return;
        }
        const reopened = await incidents.findOpen(app, fingerprint);
        if (reopened) return this.tell(event, reopened);
        return this.tell('opened', (await incidents.open(newIncidentFrom(app, signal.finding, signal.at))).incident);
      }
    }
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
