import { z } from 'zod';

/**
 * Every tunable of the detector. Shipped defaults live in config/detector.json and are documented, key by key, in
 * config/README.md; operators override a subset with their own file. The schema is strict so that a misspelt key
 * in an override fails loudly instead of being silently ignored.
 */
const probability = z.number().gt(0).lt(1);
const fraction = z.number().min(0).max(1);
const minutes = z.number().int().positive();

export const DetectorSettingsSchema = z
  .object({
    recentMinutes: z.number().int().min(30).max(360),
    historyDays: z.number().int().min(0).max(28),
    windowsMinutes: z.array(z.number().int().min(2).max(180)).min(1),
    errorRate: z
      .object({
        maxPValue: probability,
        minFailures: z.number().int().min(1),
        minFailedUsers: z.number().int().min(0),
        minExcessFailures: z.number().min(0),
        overallMinAbsoluteExcess: fraction,
        sliceMinAbsoluteExcess: fraction,
        minRelativeExcess: z.number().min(1),
        minBadMinutes: z.number().int().min(1),
        minuteCorrelation: z.number().min(0).max(0.5),
        maxMinuteCorrelation: z.number().min(0).max(0.5),
        maxBaselineConcentration: z.number().min(2),
        slicePriorAttempts: z.number().min(0),
        minBaselineAttempts: z.number().min(0),
        outlierRatio: z.number().min(1),
      })
      .strict(),
    creep: z
      .object({
        minWindowMinutes: minutes,
        minAbsoluteExcess: fraction,
        maxBaselineConcentration: z.number().min(2),
      })
      .strict(),
    volume: z
      .object({
        windowsMinutes: z.array(minutes).min(1),
        referenceMinutes: minutes,
        minDrop: z.number().gt(0).lt(1),
        minDropWithoutHistory: z.number().gt(0).lt(1),
        minExpected: z.number().min(1),
        maxPValue: probability,
        maxOverdispersion: z.number().min(1),
        versionMinAppMissing: z.number().min(0).max(1),
      })
      .strict(),
    launch: z
      .object({
        referenceMinutes: minutes,
        minMissingShare: fraction,
        maxPValue: probability,
      })
      .strict(),
    attribution: z
      .object({
        minShare: z.number().gt(0).max(1),
        minRateRatio: z.number().min(1),
      })
      .strict(),
    episodes: z
      .object({
        clearWindowMinutes: minutes,
        clearZ: z.number().positive(),
        resolveAfterMinutes: minutes,
        cooldownMinutes: z.number().int().min(0),
      })
      .strict(),
    releases: z.object({ linkGraceMinutes: z.number().int().min(0) }).strict(),
    severity: z
      .object({
        critical: z.object({ affectedUserPct: fraction, errorRate: fraction, volumeDrop: fraction }).strict(),
        major: z.object({ affectedUserPct: fraction, errorRate: fraction, volumeDrop: fraction }).strict(),
      })
      .strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const longest = Math.max(...s.windowsMinutes);
    if (s.recentMinutes < longest) {
      ctx.addIssue({ code: 'custom', path: ['recentMinutes'], message: `must be ≥ the longest window (${longest})` });
    }
    const volumeSpan = Math.max(...s.volume.windowsMinutes) + s.volume.referenceMinutes;
    if (s.recentMinutes < volumeSpan) {
      ctx.addIssue({
        code: 'custom',
        path: ['recentMinutes'],
        message: `must be ≥ the longest of volume.windowsMinutes + volume.referenceMinutes (${volumeSpan})`,
      });
    }
    if (s.launch.referenceMinutes >= s.recentMinutes) {
      ctx.addIssue({ code: 'custom', path: ['launch', 'referenceMinutes'], message: `must be < recentMinutes (${s.recentMinutes})` });
    }
  });

export type DetectorSettings = z.infer<typeof DetectorSettingsSchema>;

const sortedWindows = new WeakMap<readonly number[], readonly number[]>();

/** Window lengths shortest first, sorted once per settings: the tests walk them for every unit on every evaluation. */
export function shortestFirst(windows: readonly number[]): readonly number[] {
  let sorted = sortedWindows.get(windows);
  if (!sorted) sortedWindows.set(windows, (sorted = [...windows].sort((a, b) => a - b)));
  return sorted;
}
