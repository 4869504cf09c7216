import type { Vigil } from '../../sdk/src/client';
import type { VigilOptions } from '../../sdk/src/options';

/** SDK settings of the delivery tests: small batches, a short timeout (the proxy's slow answers outlast it). */
export function sdkTestOptions(endpoint: string, ingestKey: string): VigilOptions {
  return {
    endpoint,
    ingestKey,
    app: { version: '5.2.0', platform: 'android', osVersion: '14', region: 'eu' },
    maxBatchSize: 50,
    flushIntervalMs: 200,
    // Short, yet long enough for a busy machine: a timeout costs only a retry under the same key, never a duplicate.
    timeoutMs: 2_000,
    statusIntervalMs: 0,
  };
}

/** One login in five fails: `count` logins numbered from `from`, so tests know how many failures to expect. */
export function trackLogins(vigil: Vigil, count: number, from: number): void {
  for (let i = from; i < from + count; i++) {
    vigil.trackLogin(i % 5 === 0 ? { outcome: 'failure', errorCode: 'AUTH_TIMEOUT', userId: `user-${i % 37}` } : { outcome: 'success', userId: `user-${i % 37}` });
  }
}

export const failuresAmong = (count: number) => Math.ceil(count / 5);
