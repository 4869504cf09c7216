import { hex } from './hash.js';
import { host } from './platform.js';

/**
 * A batch's Idempotency-Key: 128 random bits. The platform's cryptographic source where there is one; React Native
 * without a getRandomValues polyfill falls back on `random`, which is fine for uniqueness (keys are per app, 24 h).
 */
export function newBatchKey(random: () => number): string {
  const crypto = host.crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return hex(bytes);
}
