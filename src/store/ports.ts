import type {
  App,
  Channel,
  Impact,
  Incident,
  IncidentKind,
  IncidentStatus,
  IngestKey,
  Platform,
  Postmortem,
  PostmortemContent,
  PostmortemEdit,
  PostmortemStatus,
  Release,
  Severity,
  Silence,
  SuspectedCause,
  TimelineEntry,
} from '../domain/types';

/**
 * What the services need from persistence. Two adapters implement these (embedded SQLite, MongoDB) and one contract
 * suite (test/integration/store-contract.ts) holds both to the same behaviour. Every method returns plain objects,
 * never driver documents. Invariants (one open incident per app + fingerprint, one postmortem per incident,
 * compare-and-set transitions) are enforced by the store itself, not by callers.
 *
 * Errors: a store that cannot reach its database throws VigilError('unavailable'); a broken invariant that the caller
 * asked for (duplicate app name) throws VigilError('conflict').
 */

export interface AppStore {
  /** Creates an app with its first ingest key. Throws conflict when the name is taken. */
  create(input: { name: string; key: NewKey; createdAt: number }): Promise<App>;
  get(id: string): Promise<App | null>;
  list(): Promise<App[]>;
  addKey(appId: string, key: NewKey): Promise<void>;
  /** Marks the key revoked; false when no live key of that app has that prefix. */
  revokeKey(appId: string, keyPrefix: string, at: number): Promise<boolean>;
  /** The app of a live (not revoked) key, by the key's sha256. */
  findByKeyHash(keyHash: string): Promise<{ app: App; key: IngestKey } | null>;
}

export interface NewKey {
  keyPrefix: string;
  keyHash: string;
  createdAt: number;
}

export interface ReleaseStore {
  create(input: Omit<Release, 'id'>): Promise<Release>;
  /** Oldest first by releasedAt. */
  list(app?: string): Promise<Release[]>;
}

export interface NewIncident {
  app: string;
  fingerprint: string;
  kind: IncidentKind;
  severity: Severity;
  title: string;
  startedAt: number;
  detectedAt: number;
  impact: Impact;
  suspectedCause: SuspectedCause | null;
  timeline: TimelineEntry[];
}

export interface IncidentFilter {
  app?: string;
  status?: IncidentStatus;
  /** Incidents detected at or after this time. */
  since?: number;
  limit: number;
  /** Opaque, from a previous page's nextCursor. */
  cursor?: string;
}

/** Fields that may change after an incident is opened. */
export interface IncidentPatch {
  severity?: Severity;
  title?: string;
  impact?: Impact;
  suspectedCause?: SuspectedCause | null;
  publicMessage?: string | null;
}

export interface IncidentStore {
  /**
   * Opens an incident unless one is already open (status open or acknowledged) for the same app + fingerprint, in
   * which case that one is returned with created=false. Safe under concurrency: the unique index decides.
   */
  open(input: NewIncident): Promise<{ incident: Incident; created: boolean }>;
  get(id: string): Promise<Incident | null>;
  /** Newest first (by detectedAt, then id). */
  list(filter: IncidentFilter): Promise<{ incidents: Incident[]; nextCursor?: string }>;
  /** The open or acknowledged incident of an app + fingerprint, if any. */
  findOpen(app: string, fingerprint: string): Promise<Incident | null>;
  /** The most recently resolved incident of an app + fingerprint resolved at or after `resolvedSince`. */
  findRecentlyResolved(app: string, fingerprint: string, resolvedSince: number): Promise<Incident | null>;
  /** Every incident not resolved, for all apps or one. */
  listUnresolved(app?: string): Promise<Incident[]>;
  /**
   * Compare-and-set state transition: applies only while the incident's status is one of `from`. Sets
   * acknowledgedAt / resolvedAt as the target status implies (resolved → open clears resolvedAt), applies `patch`,
   * appends `timeline`. Returns the updated incident, or null when the status did not match (or no such incident).
   * Reopening (resolved → open) fails with null if another incident of the same fingerprint is open meanwhile.
   */
  transition(
    id: string,
    change: { from: IncidentStatus[]; to: IncidentStatus; at: number; by?: string; patch?: IncidentPatch; timeline?: TimelineEntry[] },
  ): Promise<Incident | null>;
  /** Applies a patch and appends timeline entries in one write. Null when no such incident. */
  update(id: string, change: { at: number; patch?: IncidentPatch; timeline?: TimelineEntry[] }): Promise<Incident | null>;
}

export interface PostmortemFilter {
  app?: string;
  status?: PostmortemStatus;
}

export interface PostmortemStore {
  /** Creates the draft unless the incident already has a postmortem; returns the existing one then (created=false). */
  createDraft(input: {
    incidentId: string;
    app: string;
    content: PostmortemContent;
    createdAt: number;
  }): Promise<{ postmortem: Postmortem; created: boolean }>;
  get(incidentId: string): Promise<Postmortem | null>;
  /** Newest first. */
  list(filter: PostmortemFilter): Promise<Postmortem[]>;
  /**
   * Compare-and-set on `version`: writes content/status only if the stored version still equals expectedVersion.
   * Appends `edit` to the edit log. Returns the updated postmortem, or null on a version mismatch / no such one.
   */
  update(
    incidentId: string,
    expectedVersion: number,
    change: { content?: PostmortemContent; status?: PostmortemStatus; publishedAt?: number | null; edit: PostmortemEdit; at: number },
  ): Promise<Postmortem | null>;
}

export interface ChannelStore {
  create(input: Omit<Channel, 'id'>): Promise<Channel>;
  get(id: string): Promise<Channel | null>;
  list(): Promise<Channel[]>;
  delete(id: string): Promise<boolean>;
}

export interface SilenceStore {
  create(input: Omit<Silence, 'id'>): Promise<Silence>;
  list(): Promise<Silence[]>;
  delete(id: string): Promise<boolean>;
  /** Silences of this app that last past `at` and match the kind (a silence without kind matches every kind). */
  findActive(app: string, kind: IncidentKind, at: number): Promise<Silence[]>;
}

export interface Stores {
  apps: AppStore;
  releases: ReleaseStore;
  incidents: IncidentStore;
  postmortems: PostmortemStore;
  channels: ChannelStore;
  silences: SilenceStore;
  /** Resolves when the database answers; throws VigilError('unavailable') otherwise. For /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'embedded' | 'mongo';
}

export type { Platform };
