import type { Incident, IncidentStatus } from '../domain/types';
import type { IncidentPatch } from './ports';

/**
 * Both stores derive the timestamps of a status change from this one rule, so a reopened incident looks the same
 * whichever database holds it.
 */
export function statusTimes(to: IncidentStatus, at: number): Partial<Pick<Incident, 'acknowledgedAt' | 'resolvedAt'>> {
  switch (to) {
    case 'open':
      return { resolvedAt: null };
    case 'acknowledged':
      return { acknowledgedAt: at, resolvedAt: null };
    case 'resolved':
      return { resolvedAt: at };
  }
}

/** Drops keys whose value is undefined, so an absent field never overwrites a stored one (null still clears). */
export function definedPatch(patch: IncidentPatch | undefined): IncidentPatch {
  const out: IncidentPatch = {};
  if (!patch) return out;
  if (patch.severity !== undefined) out.severity = patch.severity;
  if (patch.title !== undefined) out.title = patch.title;
  if (patch.impact !== undefined) out.impact = patch.impact;
  if (patch.suspectedCause !== undefined) out.suspectedCause = patch.suspectedCause;
  if (patch.publicMessage !== undefined) out.publicMessage = patch.publicMessage;
  return out;
}
