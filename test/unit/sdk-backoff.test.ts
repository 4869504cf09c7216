import { backoffDelay, parseRetryAfter, RETRY_AFTER_MAX_MS, RETRY_MAX_MS } from '../../sdk/src/backoff';

describe('SDK retry policy', () => {
  it.each([
    [1, 0.5, 500],
    [2, 0.5, 1_000],
    [3, 0.999, 3_996],
    [4, 0, 0],
    [9, 0.5, 128_000],
    [10, 0.5, RETRY_MAX_MS / 2],
    [60, 0.25, RETRY_MAX_MS / 4],
  ])('when attempt %i fails and random() is %f, then the next try waits %i ms (full jitter, doubling, capped)', (attempt, random, ms) => {
    expect(backoffDelay(attempt, random)).toBe(ms);
  });

  const now = Date.parse('2026-11-27T12:00:00Z');
  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 7 ', 7_000],
    ['Fri, 27 Nov 2026 12:00:30 GMT', 30_000],
    ['Fri, 27 Nov 2026 11:59:00 GMT', 0],
    ['999999', RETRY_AFTER_MAX_MS],
  ])('when Retry-After is %j, then the SDK waits %i ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  it.each([[null], ['soon'], ['-5']])('when Retry-After is %j, then there is no server delay (the backoff applies)', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});
