/** Login traffic for end-to-end tests, as the SDK sends it: per-minute aggregates. */
export const MIN = 60_000;
export const minuteOf = (ms: number) => Math.floor(ms / MIN) * MIN;
export const iso = (ms: number) => new Date(ms).toISOString();

/** Normal failures are people mistyping passwords; a broken release times out. */
export const aggregate = (
  minute: number,
  appVersion: string,
  platform: 'ios' | 'android',
  attempts: number,
  failures: number,
  errorCode = 'INVALID_PASSWORD',
) => ({
  type: 'login_aggregate',
  minute: iso(minute),
  attempts,
  failures,
  users: attempts - 5,
  failedUsers: failures,
  ...(failures > 0 ? { failuresByErrorCode: { [errorCode]: failures } } : {}),
  appVersion,
  platform,
  osVersion: platform === 'ios' ? '17.4' : '14',
  region: 'eu',
});

/** A healthy minute of version 5.1.0 on both platforms. */
export const healthyMinute = (minute: number) => [aggregate(minute, '5.1.0', 'ios', 100, 1), aggregate(minute, '5.1.0', 'android', 100, 2)];

/**
 * The broken release in real time, until the returned function is awaited: every second, 5.2.0 logins on Android
 * failing 9 in 10 beside healthy 5.1.0 ones, sent through `send`.
 */
export function failInRealTime(send: (events: unknown[]) => Promise<void>): () => Promise<void> {
  let running = true;
  let user = 0;
  const loop = (async () => {
    while (running) {
      const ts = iso(Date.now());
      const login = (appVersion: string, platform: 'ios' | 'android', failed: boolean) => ({
        type: 'login',
        ts,
        outcome: failed ? 'failure' : 'success',
        ...(failed ? { errorCode: 'AUTH_TIMEOUT' } : {}),
        appVersion,
        platform,
        osVersion: platform === 'ios' ? '17.4' : '14',
        region: 'eu',
        userId: `user-${(user += 1)}`,
      });
      await send([
        ...Array.from({ length: 10 }, (_, i) => login('5.2.0', 'android', i < 9)),
        login('5.1.0', 'ios', false),
        login('5.1.0', 'ios', false),
        login('5.1.0', 'android', false),
      ]);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/** Ten logins of now, as one SDK batch (number `batch`: its users are its own), a third of them failing. */
export const tenLogins = (batch: number) =>
  Array.from({ length: 10 }, (_, i) => ({
    type: 'login',
    ts: Date.now(),
    outcome: i % 3 ? 'success' : 'failure',
    appVersion: '5.2.0',
    platform: 'ios',
    userId: `u-${batch}-${i}`,
  }));
