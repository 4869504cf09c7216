import { changeForSignal, looksBack, type IncidentChange } from '../domain/incident-machine';
import type { Signal } from '../domain/detector/signals';
import type { Incident } from '../domain/types';
import { newId } from '../ids';
import { definedPatch, statusTimes } from '../store/incident-changes';
import type { IncidentPatch } from '../store/ports';

/** How far back a relapse looks for the incident to reopen: the live incident service's default. */
export const DEFAULT_REOPEN_WINDOW_MS = 6 * 3_600_000;

/**
 * The backtest's incident book: the incidents of one app in memory, changed by the same rule as the live store
 * (`changeForSignal`), with the store's compare-and-set and status-time rules. Nobody acknowledges in a backtest, so
 * only the detector changes these incidents.
 */
export class MemoryIncidentBook {
  /** Every incident, in the order they were opened. */
  readonly all: Incident[] = [];
  /** The latest incident of each fingerprint: the only one a signal can still touch. */
  private readonly latest = new Map<string, Incident>();
  private readonly ids = new Map<string, Incident>();

  constructor(
    private readonly app: string,
    private readonly reopenWindowMs = DEFAULT_REOPEN_WINDOW_MS,
  ) {}

  /** Applies one evaluation's signals; `now` is the evaluation's time. */
  apply(signals: readonly Signal[], now: number): void {
    for (const signal of signals) this.applyChange(this.changeFor(signal, now), signal.at);
  }

  private changeFor(signal: Signal, now: number): IncidentChange {
    const last = this.latest.get(signal.finding.fingerprint);
    const open = last && last.status !== 'resolved' ? last : null;
    const recentlyResolved =
      !open && looksBack(signal) && last && (last.resolvedAt as number) >= now - this.reopenWindowMs ? last : null;
    return changeForSignal(this.app, signal, { open, recentlyResolved });
  }

  private applyChange(change: IncidentChange, at: number): void {
    switch (change.type) {
      case 'open': {
        const incident: Incident = {
          id: newId('inc', at),
          ...change.incident,
          status: 'open',
          acknowledgedAt: null,
          resolvedAt: null,
          publicMessage: null,
          updatedAt: at,
          version: 1,
        };
        this.all.push(incident);
        this.latest.set(incident.fingerprint, incident);
        this.ids.set(incident.id, incident);
        return;
      }
      case 'update':
        this.write(change.id, at, change.patch, change.timeline);
        return;
      case 'transition': {
        const incident = this.byId(change.id);
        if (!change.from.includes(incident.status)) return;
        Object.assign(incident, { status: change.to }, statusTimes(change.to, at));
        this.write(change.id, at, change.patch, change.timeline);
        return;
      }
      case 'retell':
      case 'none':
        return;
    }
  }

  private write(id: string, at: number, patch: IncidentPatch | undefined, timeline: Incident['timeline']): void {
    const incident = this.byId(id);
    Object.assign(incident, definedPatch(patch), { updatedAt: at, version: incident.version + 1 });
    incident.timeline.push(...timeline);
  }

  private byId(id: string): Incident {
    // Changes only ever name an incident this book handed to changeForSignal.
    const incident = this.ids.get(id);
    if (!incident) throw new Error(`incident book: no incident ${id}`);
    return incident;
  }
}
