import { randomBytes } from 'node:crypto';

/**
 * Time-ordered ids (`inc_` + 9 base36 chars of the time + 16 hex of randomness): newest-first listings and cursors
 * sort on the id alone, and both stores generate them the same way.
 */
export function newId(prefix: string, nowMs: number): string {
  return `${prefix}_${nowMs.toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}
