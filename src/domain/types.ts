/**
 * The vocabulary every room shares. Plain data only: times are epoch milliseconds inside Vigil and become ISO-8601
 * strings only at the HTTP and CLI edges.
 */

export const PLATFORMS = ['ios', 'android'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The dimensions the detector slices traffic by. `errorCode` only exists for failures. */
export const SLICE_DIMENSIONS = ['appVersion', 'platform', 'osVersion', 'region'] as const;
export type SliceDimension = (typeof SLICE_DIMENSIONS)[number];
export const DIMENSIONS = [...SLICE_DIMENSIONS, 'errorCode'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface Counts {
  attempts: number;
  failures: number;
  /** Distinct users in the bucket (HyperLogLog for raw events plus the `users` of aggregates). */
  users: number;
  failedUsers: number;
}

/** One time bucket of one app's login traffic: what the detector and `/series` read. */
export interface Bucket {
  /** Start of the bucket, epoch ms, aligned to the bucket size. */
  at: number;
  total: Counts;
  /** Per slice dimension, per value: the one-dimensional marginals (not the cross product). */
  slices: Record<SliceDimension, Record<string, Counts>>;
  /** Failures per error code. */
  errorCodes: Record<string, number>;
}

/** A login event after validation, normalised for the queue (time as epoch ms). */
export interface LoginEvent {
  type: 'login';
  ts: number;
  outcome: 'success' | 'failure';
  errorCode?: string;
  appVersion: string;
  platform: Platform;
  osVersion?: string;
  region?: string;
  userId?: string;
}

export interface LoginAggregate {
  type: 'login_aggregate';
  /** Start of the minute, epoch ms. */
  minute: number;
  attempts: number;
  failures: number;
  users?: number;
  failedUsers?: number;
  failuresByErrorCode?: Record<string, number>;
  appVersion: string;
  platform: Platform;
  osVersion?: string;
  region?: string;
}

export type TelemetryEvent = LoginEvent | LoginAggregate;

export interface App {
  id: string;
  name: string;
  createdAt: number;
}

export interface IngestKey {
  appId: string;
  /** The first characters of the key, shown to operators so they can tell keys apart and revoke one. */
  keyPrefix: string;
  /** sha256 hex of the whole key; the key itself is never stored. */
  keyHash: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface Release {
  id: string;
  app: string;
  appVersion: string;
  platform: Platform | null;
  releasedAt: number;
  rolloutPercent: number | null;
  notes: string | null;
  createdAt: number;
}

export const INCIDENT_KINDS = ['error_rate', 'volume_drop'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const SEVERITIES = ['critical', 'major', 'minor'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const TIMELINE_TYPES = [
  'started',
  'detected',
  'alerted',
  'escalated',
  'acknowledged',
  'note',
  'mitigated',
  'resolved',
] as const;
export type TimelineType = (typeof TIMELINE_TYPES)[number];

export interface TimelineEntry {
  at: number;
  type: TimelineType;
  message: string;
  by?: string;
}

export interface Impact {
  errorRate: number;
  baselineErrorRate: number;
  failedLogins: number;
  affectedUsers: number;
  /** Affected users as a fraction (0..1) of the users active while the incident lasted. */
  affectedUserPct: number;
  /** For volume drops: logins per minute now and expected. */
  loginsPerMinute?: number;
  baselineLoginsPerMinute?: number;
}

export interface SuspectedCause {
  dimension: Dimension;
  value: string;
  /** Fraction (0..1) of the excess failures this slice explains. */
  share: number;
  release: { appVersion: string; releasedAt: number } | null;
}

export interface Incident {
  id: string;
  app: string;
  /** Dedup key everywhere: the store's unique index, job ids, notification dedupKeys. */
  fingerprint: string;
  kind: IncidentKind;
  status: IncidentStatus;
  severity: Severity;
  title: string;
  startedAt: number;
  detectedAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  impact: Impact;
  suspectedCause: SuspectedCause | null;
  timeline: TimelineEntry[];
  /** What users see in the in-app banner (GET /v1/status); null: a generic message. */
  publicMessage: string | null;
  updatedAt: number;
  /** Bumped on every write; compare-and-set uses it. */
  version: number;
}

export const POSTMORTEM_STATUSES = ['draft', 'in_review', 'published'] as const;
export type PostmortemStatus = (typeof POSTMORTEM_STATUSES)[number];

export interface Measure {
  id: string;
  kind: 'immediate' | 'preventive';
  text: string;
}

export const TASK_STATUSES = ['open', 'in_progress', 'done'] as const;
export interface Task {
  id: string;
  title: string;
  owner: string | null;
  status: (typeof TASK_STATUSES)[number];
  /** YYYY-MM-DD */
  dueDate: string | null;
}

/** Numbers the draft was written from; kept so edited prose can always be checked against what Vigil saw. */
export interface PostmortemFacts {
  startedAt: number;
  detectedAt: number;
  resolvedAt: number;
  durationMs: number;
  detectionLagMs: number;
  firstPageAt: number | null;
  acknowledgedAt: number | null;
  peakErrorRate: number;
  baselineErrorRate: number;
  failedLogins: number;
  affectedUsers: number;
  affectedUserPct: number;
  suspectedCause: SuspectedCause | null;
}

export interface PostmortemContent {
  title: string;
  /** Incident Summary: duration, impact, root cause, in prose. */
  summary: string;
  facts: PostmortemFacts;
  timeline: TimelineEntry[];
  rootCause: string;
  resolution: string;
  measures: { immediate: Measure[]; preventive: Measure[] };
  tasks: Task[];
}

export interface PostmortemEdit {
  at: number;
  by: string;
  fields: string[];
}

export interface Postmortem {
  id: string;
  incidentId: string;
  app: string;
  status: PostmortemStatus;
  content: PostmortemContent;
  edits: PostmortemEdit[];
  createdAt: number;
  updatedAt: number;
  publishedAt: number | null;
  version: number;
}

export const CHANNEL_TYPES = ['webhook', 'slack', 'pagerduty'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface Channel {
  id: string;
  type: ChannelType;
  url: string;
  /** Write-only: used to sign webhooks, never returned by the API nor logged. */
  secret: string | null;
  /** PagerDuty Events v2 routing key; write-only like `secret`. */
  routingKey: string | null;
  /** null: every app. */
  apps: string[] | null;
  minSeverity: Severity;
  escalateAfterMinutes: number | null;
  createdAt: number;
}

export interface Silence {
  id: string;
  app: string;
  kind: IncidentKind | null;
  until: number;
  reason: string;
  createdAt: number;
}
