import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Ingest keys: `vk_` + 32 random bytes (base64url). Shown once; only the sha256 is stored. */
export const KEY_PREFIX_LENGTH = 11; // "vk_" + 8 characters: enough to tell keys apart, useless to an attacker

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function generateIngestKey(now: number): { ingestKey: string; keyPrefix: string; keyHash: string; createdAt: number } {
  const ingestKey = `vk_${randomBytes(32).toString('base64url')}`;
  return { ingestKey, keyPrefix: ingestKey.slice(0, KEY_PREFIX_LENGTH), keyHash: sha256(ingestKey), createdAt: now };
}

/** Constant-time comparison of secrets of any length: compares fixed-size digests. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
