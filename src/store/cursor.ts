import { badRequest } from '../errors';

/**
 * Incident pages are ordered newest first by (detectedAt, id). A cursor is the key of the last item of a page,
 * base64url-encoded so callers treat it as opaque and both stores read the same cursors.
 */
export interface CursorKey {
  detectedAt: number;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.detectedAt, key.id]), 'utf8').toString('base64url');
}

/** Throws bad_request (not a 500) because a cursor arrives from a client and may be garbled or forged. */
export function decodeCursor(cursor: string): CursorKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2) {
    const [detectedAt, id] = parsed as unknown[];
    if (typeof detectedAt === 'number' && Number.isFinite(detectedAt) && typeof id === 'string' && id !== '') {
      return { detectedAt, id };
    }
  }
  throw badRequest('cursor is not valid; pass the nextCursor of a previous page', { field: 'cursor' });
}

/** A non-positive or fractional limit would make an endless or empty pagination loop. */
export function pageSize(limit: number): number {
  return Number.isFinite(limit) ? Math.max(1, Math.floor(limit)) : 1;
}

/**
 * Stores fetch `size + 1` rows so they know whether another page follows without a count query; this cuts the
 * extra row off and derives the cursor from the last row kept.
 */
export function toPage<T extends CursorKey>(rows: T[], size: number): { items: T[]; nextCursor?: string } {
  if (rows.length <= size) return { items: rows };
  const items = rows.slice(0, size);
  const last = items[items.length - 1];
  return last ? { items, nextCursor: encodeCursor(last) } : { items };
}
