import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock';

/** Long enough to act on a page sent at the start of a long incident; escalations carry fresh links. */
export const ACK_LINK_TTL_MS = 7 * 24 * 3600 * 1000;

export type AckTokenCheck = 'valid' | 'expired' | 'invalid';

const TOKEN = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;

/**
 * The acknowledge link carried in pages: `<expiry, base36 ms>.<base64url HMAC-SHA256(incidentId, expiry)>`. It grants
 * one thing, acknowledging that one incident, so it may travel through chat tools without the admin token. The key
 * is derived from the admin token (never used raw), so API and worker processes agree without another secret.
 */
export class AckLinks {
  private readonly key: Buffer;

  constructor(
    adminToken: string,
    private readonly publicUrl: string,
    private readonly clock: Clock,
    private readonly ttlMs = ACK_LINK_TTL_MS,
  ) {
    this.key = createHmac('sha256', adminToken).update('vigil:ack-link:v1').digest();
  }

  private signature(incidentId: string, expiry: string): Buffer {
    return createHmac('sha256', this.key).update(`${incidentId}\n${expiry}`).digest();
  }

  token(incidentId: string): string {
    const expiry = (this.clock.now() + this.ttlMs).toString(36);
    return `${expiry}.${this.signature(incidentId, expiry).toString('base64url')}`;
  }

  url(incidentId: string): string {
    return `${this.publicUrl}/v1/incidents/${encodeURIComponent(incidentId)}/ack?token=${this.token(incidentId)}`;
  }

  /** The signature is checked first, so "expired" is only ever said of a token Vigil really issued. */
  verify(incidentId: string, token: string): AckTokenCheck {
    const match = TOKEN.exec(token);
    if (!match) return 'invalid';
    const [, expiry, signature] = match as unknown as [string, string, string];
    // Compared as canonical text: base64url has several spellings of the same bytes, a token has exactly one.
    const expected = Buffer.from(this.signature(incidentId, expiry).toString('base64url'));
    if (!timingSafeEqual(Buffer.from(signature), expected)) return 'invalid';
    return parseInt(expiry, 36) > this.clock.now() ? 'valid' : 'expired';
  }
}
