/** The shapes of the Vigil API as the dashboard reads them (times are ISO-8601 strings on the wire). */

export type AppHealth = 'operational' | 'degraded' | 'outage';
export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';
export type Severity = 'critical' | 'major' | 'minor';
export type SliceDimension = 'appVersion' | 'platform' | 'osVersion' | 'region';
export type Dimension = SliceDimension | 'errorCode';

export interface SessionInfo {
  name: string;
  csrfToken: string;
  expiresAt: string;
  idleExpiresAt: string;
}

export interface App {
  id: string;
  name: string;
  createdAt: string;
}

export interface AppOverview {
  id: string;
  name: string;
  status: AppHealth;
  openIncidents: number;
  lastHour: { attempts: number; failures: number; errorRate: number };
}

export interface SeriesPoint {
  at: string;
  attempts: number;
  failures: number;
  errorRate: number;
}

export interface Series {
  step: number;
  points: SeriesPoint[];
  groups?: Record<string, SeriesPoint[]>;
}

export interface Release {
  id: string;
  app: string;
  appVersion: string;
  platform: 'ios' | 'android' | null;
  releasedAt: string;
  rolloutPercent: number | null;
  notes: string | null;
}

export interface TimelineEntry {
  at: string;
  type: string;
  message: string;
  by?: string;
}

export interface SuspectedCause {
  dimension: Dimension;
  value: string;
  share: number;
  release: { appVersion: string; releasedAt: string } | null;
}

export interface Incident {
  id: string;
  app: string;
  kind: 'error_rate' | 'volume_drop';
  status: IncidentStatus;
  severity: Severity;
  title: string;
  startedAt: string;
  detectedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  impact: {
    errorRate: number;
    baselineErrorRate: number;
    failedLogins: number;
    affectedUsers: number;
    affectedUserPct: number;
    loginsPerMinute?: number;
    baselineLoginsPerMinute?: number;
  };
  suspectedCause: SuspectedCause | null;
  publicMessage: string | null;
  timeline: TimelineEntry[];
}

export type PostmortemStatus = 'draft' | 'in_review' | 'published';
export type TaskStatus = 'open' | 'in_progress' | 'done';

export interface Measure {
  id: string;
  kind: 'immediate' | 'preventive';
  text: string;
}

export interface Task {
  id: string;
  title: string;
  owner: string | null;
  status: TaskStatus;
  dueDate: string | null;
}

export interface Postmortem {
  id: string;
  incidentId: string;
  app: string;
  status: PostmortemStatus;
  version: number;
  title: string;
  summary: string;
  rootCause: string;
  resolution: string;
  measures: { immediate: Measure[]; preventive: Measure[] };
  tasks: Task[];
  facts: {
    startedAt: string;
    detectedAt: string;
    resolvedAt: string;
    durationMs: number;
    detectionLagMs: number;
    peakErrorRate: number;
    baselineErrorRate: number;
    failedLogins: number;
    affectedUsers: number;
    affectedUserPct: number;
    suspectedCause: SuspectedCause | null;
  };
  timeline: TimelineEntry[];
  edits: Array<{ at: string; by: string; fields: string[] }>;
  updatedAt: string;
  publishedAt: string | null;
}

export type ChannelType = 'webhook' | 'slack' | 'pagerduty';

export interface Channel {
  id: string;
  type: ChannelType;
  url: string;
  hasSecret: boolean;
  hasRoutingKey: boolean;
  apps: string[] | null;
  minSeverity: Severity;
  escalateAfterMinutes: number | null;
  createdAt: string;
}

export interface Silence {
  id: string;
  app: string;
  kind: 'error_rate' | 'volume_drop' | null;
  until: string;
  reason: string;
  createdAt: string;
  active: boolean;
}
