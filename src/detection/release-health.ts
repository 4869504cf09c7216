import type { Clock } from '../clock';
import { type CounterSource } from '../counters/ports';
import { MINUTE_MS } from '../domain/time';
import { minuteRange } from '../domain/detector/detector';
import type { DetectorSettings } from '../domain/detector/settings';
import { judgeRelease, type ReleaseHealth } from '../domain/release-health';
import type { Platform, Release } from '../domain/types';
import { notFound } from '../errors';
import type { ReleaseStore } from '../store/ports';

/** The longest stretch judged: a day of minutes (1,440 buckets, one read). Older logins say little about a rollout now. */
const MAX_GATE_WINDOW_MS = 24 * 3_600_000;

export interface ReleaseHealthDeps {
  counters: CounterSource;
  releases: Pick<ReleaseStore, 'list'>;
  settings: DetectorSettings;
  clock: Clock;
}

export interface ReleaseHealthQuery {
  app: string;
  appVersion: string;
  /** Picks the release registration of that platform (or of none) whose releasedAt starts the window. */
  platform?: Platform;
  /** The versions to compare against; default every other version with logins in the same minutes. */
  baseline?: string[];
}

/** The latest registration of the version (of the platform asked for, or of no platform in particular). */
function releaseOf(releases: readonly Release[], q: ReleaseHealthQuery): Release | null {
  const own = releases.filter((r) => r.appVersion === q.appVersion);
  const fitting = q.platform ? own.filter((r) => r.platform === q.platform || r.platform === null) : own;
  return fitting.reduce<Release | null>((latest, r) => (latest === null || r.releasedAt > latest.releasedAt ? r : latest), null);
}

/**
 * The release health of one version: the closed minutes since its release (at most a day; the last day when it was
 * never registered) judged by `judgeRelease`, with the distinct users the counters saw on it. Not found when the
 * version was never registered and had no logins in the last day.
 */
export async function releaseHealth(deps: ReleaseHealthDeps, q: ReleaseHealthQuery): Promise<ReleaseHealth & { users: number; from: number; to: number }> {
  const releases = await deps.releases.list(q.app);
  const release = releaseOf(releases, q);
  const { to } = minuteRange(deps.clock.now(), deps.settings);
  const earliest = to - MAX_GATE_WINDOW_MS;
  const from = Math.min(to, Math.max(earliest, release ? release.releasedAt - (release.releasedAt % MINUTE_MS) : earliest));
  const minutes = from < to ? await deps.counters.buckets(q.app, from, to, MINUTE_MS) : [];
  const health = judgeRelease({ appVersion: q.appVersion, baselineVersions: q.baseline ?? null, minutes }, deps.settings);
  if (health.attempts === 0 && !releases.some((r) => r.appVersion === q.appVersion)) {
    throw notFound(`App version ${q.appVersion} (no release registered, no logins in the last day)`);
  }
  const { users } =
    health.attempts > 0 ? await deps.counters.distinctUsers(q.app, from, to, { dimension: 'appVersion', value: q.appVersion }) : { users: 0 };
  return { ...health, users, from, to };
}
