import type { Dimension, Release, SliceDimension, SuspectedCause } from '../types';
import type { DetectorSettings } from './settings';

/** One value of one dimension, with its part of the anomaly and of normal traffic. */
export interface AttributionItem {
  dimension: SliceDimension;
  value: string;
  /** Excess failures (or missing logins) of this value: actual minus expected. May be negative. */
  excess: number;
  /** Its share (0..1) of normal traffic. */
  normalShare: number;
  /**
   * Whether the anomaly is much stronger inside the value than outside it (rate ratio against its complement).
   * A value that merely carries its traffic share of a backend-wide outage is not concentrated.
   */
  concentrated: boolean;
}

/** Adtributor's surprise: the Jensen-Shannon term between the normal share and the share of the anomaly. */
export function surprise(normalShare: number, anomalyShare: number): number {
  const p = Math.max(normalShare, 1e-9);
  const q = Math.max(anomalyShare, 1e-9);
  const m = (p + q) / 2;
  return 0.5 * (p * Math.log(p / m) + q * Math.log(q / m));
}

/**
 * The culprit: the value that explains most of the anomaly (explanatory power ≥ minShare of its dimension's total
 * excess), is concentrated (see AttributionItem), and among those, the most surprising one, i.e. the one that
 * explains the most while being the smallest part of normal traffic (version 5.2.0 rather than platform ios).
 * Null when nothing qualifies: the excess is everywhere.
 *
 * Only slices (version, platform, OS, region) are candidates, never an error code. A bad release's failures
 * usually share one error code, and that code, a tiny share of normal traffic, would always look the most surprising;
 * a backend outage usually fails with one code too, and must still read "no single slice". An error code says what
 * failed, not where: the on-call engineer needs "app version 5.2.0" to act.
 */
export function pickCulprit(
  items: readonly AttributionItem[],
  settings: DetectorSettings,
): { dimension: Dimension; value: string; share: number } | null {
  const totals = new Map<Dimension, number>();
  for (const item of items) totals.set(item.dimension, (totals.get(item.dimension) ?? 0) + item.excess);
  let best: { dimension: Dimension; value: string; share: number; score: number } | null = null;
  for (const item of items) {
    const total = totals.get(item.dimension) ?? 0;
    if (total <= 0 || !item.concentrated) continue;
    const share = Math.min(1, item.excess / total);
    if (share < settings.attribution.minShare) continue;
    const score = surprise(item.normalShare, share);
    if (!best || score > best.score) best = { dimension: item.dimension, value: item.value, share, score };
  }
  return best && { dimension: best.dimension, value: best.value, share: best.share };
}

/**
 * The release behind an appVersion culprit: the newest release of that version registered before the anomaly
 * began. A release registered up to `linkGraceMinutes` after the estimated start still counts: the start is a
 * minute-resolution estimate and release registrations often trail the store roll-out by a minute or two.
 */
export function linkRelease(
  culprit: { dimension: Dimension; value: string },
  releases: readonly Release[],
  startedAt: number,
  settings: DetectorSettings,
): SuspectedCause['release'] {
  if (culprit.dimension !== 'appVersion') return null;
  const latest = startedAt + settings.releases.linkGraceMinutes * 60_000;
  let best: Release | null = null;
  for (const r of releases) {
    if (r.appVersion !== culprit.value || r.releasedAt > latest) continue;
    if (!best || r.releasedAt > best.releasedAt) best = r;
  }
  return best && { appVersion: best.appVersion, releasedAt: best.releasedAt };
}
