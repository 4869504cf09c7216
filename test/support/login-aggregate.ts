/**
 * One minute of one slice as the SDK reports it (a `login_aggregate` event), for the end-to-end tests. Normal failures
 * are people mistyping passwords; a broken release is given its own error code.
 */
export function loginAggregate(
  minute: number,
  appVersion: string,
  platform: 'ios' | 'android',
  attempts: number,
  failures: number,
  errorCode = 'INVALID_PASSWORD',
) {
  return {
    type: 'login_aggregate',
    minute: new Date(minute).toISOString(),
    attempts,
    failures,
    users: attempts - 5,
    failedUsers: failures,
    ...(failures > 0 ? { failuresByErrorCode: { [errorCode]: failures } } : {}),
    appVersion,
    platform,
    osVersion: platform === 'ios' ? '17.4' : '14',
    region: 'eu',
  };
}
