import type { Incident, Postmortem, PostmortemContent } from '../domain/types';
import { newId } from '../ids';
import type { NewIncident } from './ports';

/** The record a store inserts for a new incident: both adapters start every incident the same way. */
export function newIncidentRecord(input: NewIncident): Incident {
  return {
    ...input,
    id: newId('inc', input.detectedAt),
    status: 'open',
    acknowledgedAt: null,
    resolvedAt: null,
    publicMessage: null,
    updatedAt: input.detectedAt,
    version: 1,
  };
}

/** The record a store inserts for a new postmortem draft. */
export function newPostmortemRecord(input: { incidentId: string; app: string; content: PostmortemContent; createdAt: number }): Postmortem {
  return {
    id: newId('pm', input.createdAt),
    incidentId: input.incidentId,
    app: input.app,
    status: 'draft',
    content: input.content,
    edits: [],
    createdAt: input.createdAt,
    updatedAt: input.createdAt,
    publishedAt: null,
    version: 1,
  };
}
