import type { Clock } from '../clock';
import { draftPostmortem } from '../domain/postmortem/draft';
import { applyEdit, EDITABLE_FIELDS, keepEdited, type ContentPatch } from '../domain/postmortem/edit';
import { isResolved, type ResolvedIncident } from '../domain/postmortem/facts';
import type { Postmortem, PostmortemStatus } from '../domain/types';
import { conflict, notFound, VigilError } from '../errors';
import { newId } from '../ids';
import type { IncidentListener } from '../incidents/listener';
import type { Logger } from '../logger';
import type { IncidentStore, PostmortemFilter, PostmortemStore } from '../store/ports';

/** Who the edit log names for Vigil's own writes (the first draft needs none; a re-draft after a relapse does). */
export const DRAFTER = 'vigil';

export interface EditRequest extends ContentPatch {
  by: string;
  /** Optional optimistic lock: the version the reviewer last read; 409 when someone else wrote since. */
  version?: number;
  /** Reviewers move a draft into review by editing it with this; publishing has its own call. */
  status?: 'in_review';
}

type Change = Parameters<PostmortemStore['update']>[2];

/**
 * Postmortems: drafted once per incident when it resolves, then reviewed and published by people.
 *
 *   draft ──PATCH status=in_review──▶ in_review ──publish──▶ published (read-only)
 *     └────────────────────publish──────────────────────────▲    │
 *                  in_review ◀──────────reopen──────────────────┘
 *
 * Drafting is idempotent (the store keeps one postmortem per incident), and reads draft lazily, so a crash between an
 * incident resolving and its draft being written loses nothing.
 */
export class PostmortemService {
  constructor(
    private readonly deps: { postmortems: PostmortemStore; incidents: IncidentStore; clock: Clock; logger: Logger },
  ) {}

  /** Register with the incident service: drafts on `resolved`, ignores the rest. */
  readonly listener: IncidentListener = async (event, incident) => {
    if (event === 'resolved' && isResolved(incident)) await this.draftFor(incident);
  };

  /** The postmortem of an incident, drafted now if the incident is resolved and has none yet. */
  async get(incidentId: string): Promise<Postmortem> {
    const [existing, incident] = await Promise.all([
      this.deps.postmortems.get(incidentId),
      this.deps.incidents.get(incidentId),
    ]);
    if (incident && isResolved(incident) && (!existing || isStale(existing, incident))) return this.draftFor(incident);
    // Also when the incident relapsed: the postmortem of its last resolution stands until it resolves again.
    if (existing) return existing;
    if (!incident) throw notFound(`Incident ${incidentId}`);
    throw new VigilError(
      'not_found',
      `Incident ${incidentId} is not resolved yet (status ${incident.status}): its postmortem is drafted when it resolves`,
    );
  }

  list(filter: PostmortemFilter): Promise<Postmortem[]> {
    return this.deps.postmortems.list(filter);
  }

  edit(incidentId: string, request: EditRequest): Promise<Postmortem> {
    return this.write(incidentId, request.version, (pm, at) => {
      if (pm.status === 'published') {
        throw conflict(`The postmortem of incident ${incidentId} is published and read-only; reopen it (POST …/postmortem/reopen) to edit`);
      }
      const { content, fields } = applyEdit(pm.content, request, (kind) => newId(kind === 'measure' ? 'msr' : 'task', at));
      const status: PostmortemStatus = request.status ?? pm.status;
      const changed = status === pm.status ? fields : [...fields, 'status'];
      return { content, status, edit: { at, by: request.by, fields: changed }, at };
    });
  }

  /** Idempotent: publishing a published postmortem changes nothing. */
  publish(incidentId: string, by: string): Promise<Postmortem> {
    return this.write(incidentId, undefined, (pm, at) =>
      pm.status === 'published' ? null : { status: 'published', publishedAt: at, edit: { at, by, fields: ['status'] }, at },
    );
  }

  /** Back to review so it can be corrected; a postmortem that is not published is already editable. */
  reopen(incidentId: string, by: string): Promise<Postmortem> {
    return this.write(incidentId, undefined, (pm, at) =>
      pm.status !== 'published' ? null : { status: 'in_review', publishedAt: null, edit: { at, by, fields: ['status'] }, at },
    );
  }

  /**
   * Compare-and-set on the postmortem's version. A write that loses a race is decided again on the fresh copy once
   * (edits are field replacements, so re-applying is safe); losing twice, or a reviewer's stale `version`, is a 409.
   */
  private async write(
    incidentId: string,
    expectedVersion: number | undefined,
    decide: (pm: Postmortem, at: number) => Change | null,
  ): Promise<Postmortem> {
    for (let attempt = 1; ; attempt++) {
      const pm = await this.get(incidentId);
      if (expectedVersion !== undefined && pm.version !== expectedVersion) {
        throw conflict(`The postmortem changed since version ${expectedVersion} (now ${pm.version}); reload it and edit again`, {
          version: pm.version,
        });
      }
      const change = decide(pm, this.deps.clock.now());
      if (!change) return pm;
      const updated = await this.deps.postmortems.update(incidentId, pm.version, change);
      if (updated) return updated;
      if (attempt === 2) throw conflict('The postmortem was changed by someone else at the same time; reload it and retry');
    }
  }

  private async draftFor(incident: ResolvedIncident): Promise<Postmortem> {
    const now = this.deps.clock.now();
    const { postmortem, created } = await this.deps.postmortems.createDraft({
      incidentId: incident.id,
      app: incident.app,
      content: draftPostmortem(incident, now),
      createdAt: now,
    });
    if (created) this.deps.logger.info({ incidentId: incident.id, app: incident.app }, 'postmortem drafted');
    return isStale(postmortem, incident) ? this.redraft(postmortem, incident, now) : postmortem;
  }

  /** The incident relapsed and resolved again: refresh what Vigil wrote, keep what reviewers rewrote. */
  private async redraft(pm: Postmortem, incident: ResolvedIncident, now: number): Promise<Postmortem> {
    const edited = new Set(pm.edits.filter((e) => e.by !== DRAFTER).flatMap((e) => e.fields));
    const content = keepEdited(draftPostmortem(incident, now), pm.content, edited);
    const fields = ['facts', 'timeline', ...EDITABLE_FIELDS.filter((f) => !edited.has(f))];
    const updated = await this.deps.postmortems.update(incident.id, pm.version, { content, edit: { at: now, by: DRAFTER, fields }, at: now });
    // Losing the race means another writer got there first; whichever it was, its result is the current postmortem.
    return updated ?? (await this.deps.postmortems.get(incident.id)) ?? pm;
  }
}

/** Drafted from an earlier resolution of an incident that relapsed since; a published postmortem is left alone. */
function isStale(pm: Postmortem, incident: ResolvedIncident): boolean {
  return pm.status !== 'published' && pm.content.facts.resolvedAt !== incident.resolvedAt;
}
