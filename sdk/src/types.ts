export const PLATFORMS = ['ios', 'android'] as const;
export type Platform = (typeof PLATFORMS)[number];
export type LoginOutcome = 'success' | 'failure';

/** One login as it travels to `POST /v1/events` (the service's `login` event). */
export interface LoginEvent {
  type: 'login';
  /** Epoch milliseconds on the device's clock when the login finished. */
  ts: number;
  outcome: LoginOutcome;
  errorCode?: string;
  appVersion: string;
  platform: Platform;
  osVersion?: string;
  region?: string;
  userId?: string;
}

/** An event the service refused in a 202 answer, by its index in the batch. */
export interface RejectedEvent {
  index: number;
  error: string;
}

/** What `GET /v1/status` answers: the in-app banner's content. */
export interface BannerStatus {
  status: 'operational' | 'degraded' | 'outage';
  incidents: Array<{ id: string; title: string; status: string; startedAt: string; message: string }>;
}

/**
 * Why events were lost for good, handed to `onError`. `dropped`: discarded on the device (queue full, or too old for the
 * service to accept); `refused`: a whole batch answered with a final 4xx; `rejected`: single events refused inside a
 * 202; `storage`: the storage adapter failed (events stay in memory); `invalid`: a trackLogin call was unusable.
 */
export type VigilErrorKind = 'dropped' | 'refused' | 'rejected' | 'storage' | 'invalid';

export class VigilError extends Error {
  override readonly name = 'VigilError';
  constructor(
    readonly kind: VigilErrorKind,
    message: string,
    /** How many events it concerns (0 for storage problems that lost nothing yet). */
    readonly count: number,
    readonly details: { status?: number; rejected?: RejectedEvent[]; cause?: unknown } = {},
  ) {
    super(message);
  }
}
