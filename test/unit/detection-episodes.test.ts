import shipped from '../../config/detector.json';
import { decide, type EpisodeClock } from '../../src/domain/detector/episodes';
import { DetectorSettingsSchema } from '../../src/domain/detector/settings';
import { MINUTE_MS as MIN } from '../../src/domain/time';

const settings = DetectorSettingsSchema.parse(shipped);
const T = 100 * 60 * MIN;

const open: EpisodeClock = { phase: 'open', normalSince: null, resolvedEvalAt: null, closedUntil: T };
const obs = (evidence: boolean, elevated: boolean, closedUntil = T) => ({ evidence, elevated, closedUntil });

describe('hysteresis', () => {
  it('opens on evidence and not without', () => {
    expect(decide(null, obs(true, false), T, settings).decision).toBe('open');
    expect(decide(null, obs(false, false), T, settings).decision).toBe('hold');
  });

  it('stays open while elevated, updating once per new closed minute', () => {
    expect(decide(open, obs(false, true, T + MIN), T + MIN, settings)).toEqual({ decision: 'update', normalSince: null });
    expect(decide(open, obs(false, true, T), T + 10_000, settings).decision).toBe('hold');
  });

  it('resolves only after resolveAfterMinutes of normality in a row', () => {
    const first = decide(open, obs(false, false), T, settings);
    expect(first).toEqual({ decision: 'hold', normalSince: T });
    const quiet = { ...open, normalSince: T };
    expect(decide(quiet, obs(false, false), T + (settings.episodes.resolveAfterMinutes - 1) * MIN, settings).decision).toBe('hold');
    expect(decide(quiet, obs(false, false), T + settings.episodes.resolveAfterMinutes * MIN, settings).decision).toBe('resolve');
    // One elevated look resets the count.
    expect(decide(quiet, obs(false, true), T + 5 * MIN, settings).normalSince).toBeNull();
  });

  it('a relapse within the cool-down reopens; after it, a new incident opens', () => {
    const resolved: EpisodeClock = { phase: 'resolved', normalSince: null, resolvedEvalAt: T, closedUntil: T };
    const cool = settings.episodes.cooldownMinutes * MIN;
    expect(decide(resolved, obs(true, false), T + cool, settings).decision).toBe('reopen');
    expect(decide(resolved, obs(true, false), T + cool + MIN, settings).decision).toBe('open');
    expect(decide(resolved, obs(false, false), T + cool + MIN, settings).decision).toBe('forget');
  });
});
