import { OTHER, culpritVsRest, markersIn, overall, split, stepFor } from '../src/chart/shape';
import type { Incident, Release, SeriesPoint } from '../src/types';

const T0 = Date.UTC(2026, 10, 28, 14, 0);
const MIN = 60_000;
const at = (i: number) => new Date(T0 + i * MIN).toISOString();
const point = (i: number, attempts: number, failures: number): SeriesPoint => ({ at: at(i), attempts, failures, errorRate: attempts ? failures / attempts : 0 });

describe('chart data shaping', () => {
  it('when there are no attempts in a minute, then its rate is a gap (null), not 0%', () => {
    const data = overall([point(0, 10, 1), point(1, 0, 0), point(2, 4, 2)]);
    expect(data.xs).toEqual([T0 / 1000, T0 / 1000 + 60, T0 / 1000 + 120]);
    expect(data.attempts).toEqual([10, 0, 4]);
    expect(data.lines).toEqual([{ label: 'All logins', rates: [0.1, null, 0.5], attempts: [10, 0, 4] }]);
  });

  it('when split, then the values with the most failures get a line and the rest, unreported values included, is "other"', () => {
    // Whole app: 100 logins a minute; 7 versions named, 10 logins a minute report no version at all.
    const total = [point(0, 100, 20), point(1, 100, 30)];
    const groups: Record<string, SeriesPoint[]> = {
      '5.2.0': [point(0, 5, 5), point(1, 5, 5)], // few logins, all failing: named first
      '5.1.0': [point(0, 50, 5), point(1, 50, 15)],
      '5.0.0': [point(0, 20, 4), point(1, 20, 4)],
      '4.9.0': [point(0, 5, 2), point(1, 5, 2)],
      '4.8.0': [point(0, 4, 1), point(1, 4, 1)],
      '4.7.0': [point(0, 3, 1), point(1, 3, 1)], // 6th by failures: folded into other
      '4.6.0': [point(0, 3, 0), point(1, 3, 0)],
    };
    const data = split(total, groups, 5);
    expect(data.lines.map((l) => l.label)).toEqual(['5.1.0', '5.2.0', '5.0.0', '4.9.0', '4.8.0', OTHER]);
    const other = data.lines.at(-1)!;
    // 100 - (50 + 5 + 20 + 5 + 4) = 16 logins; 20 - (5 + 5 + 4 + 2 + 1) = 3 failures in the first minute.
    expect(other.attempts).toEqual([16, 16]);
    expect(other.rates[0]).toBeCloseTo(3 / 16);
    expect(other.rates[1]).toBeCloseTo((30 - 27) / 16);
  });

  it('when every value is named, then there is no "other" line', () => {
    const data = split([point(0, 10, 1)], { ios: [point(0, 6, 1)], android: [point(0, 4, 0)] });
    expect(data.lines.map((l) => l.label)).toEqual(['ios', 'android']);
  });

  it('when ties in failures, then the busier value comes first, then by name', () => {
    const data = split([point(0, 30, 0)], { b: [point(0, 10, 0)], a: [point(0, 10, 0)], c: [point(0, 10, 0)] }, 2);
    expect(data.lines.map((l) => l.label)).toEqual(['a', 'b', OTHER]);
  });

  it('when charting a culprit, then "everything else" is the whole app minus the culprit slice', () => {
    const data = culpritVsRest([point(0, 100, 10), point(1, 100, 50)], [point(0, 0, 0), point(1, 40, 40)], 'App version 5.2.0');
    expect(data.lines).toEqual([
      { label: 'App version 5.2.0', rates: [null, 1], attempts: [0, 40] },
      { label: 'everything else', rates: [0.1, 10 / 60], attempts: [100, 60] },
    ]);
  });

  it('when markers are gathered, then only releases inside the range and incidents overlapping it are kept', () => {
    const release = (appVersion: string, ms: number, platform: Release['platform'] = null): Release => ({
      id: appVersion, app: 'a', appVersion, platform, releasedAt: new Date(ms).toISOString(), rolloutPercent: null, notes: null,
    });
    const incident = (id: string, start: number, end: number | null) =>
      ({ id, severity: 'major', startedAt: new Date(start).toISOString(), detectedAt: new Date(start + 2 * MIN).toISOString(), resolvedAt: end === null ? null : new Date(end).toISOString() }) as Incident;
    const markers = markersIn(
      T0,
      T0 + 60 * MIN,
      [release('5.1.0', T0 - MIN), release('5.2.0', T0 + 10 * MIN, 'android')],
      [incident('before', T0 - 30 * MIN, T0 - 5 * MIN), incident('spanning', T0 - 30 * MIN, T0 + 5 * MIN), incident('ongoing', T0 + 20 * MIN, null)],
    );
    expect(markers.releases).toEqual([{ at: T0 + 10 * MIN, label: '5.2.0 (android)' }]);
    expect(markers.incidents.map((b) => [b.id, b.end])).toEqual([
      ['spanning', T0 + 5 * MIN],
      ['ongoing', null],
    ]);
  });

  it('when choosing a step for an incident window, then it is whole minutes and keeps to the point budget', () => {
    expect(stepFor(T0, T0 + 90 * MIN)).toBe(60);
    expect(stepFor(T0, T0 + 24 * 60 * MIN, 720)).toBe(120);
    expect(stepFor(T0, T0 + 7 * 24 * 60 * MIN, 720)).toBe(840);
  });
});
