import type { RedisClient } from '../queue/connection';
import type { Clock } from '../clock';
import { DEDUP_RETENTION_SECONDS } from './keys';

/**
 * "Do this side effect once per logical notification", across retries, re-told events and worker crashes: a Redis
 * marker taken with SET NX before the effect, given back when the effect fails so a retry can try again. A crash
 * between taking the marker and finishing the effect loses that one timeline entry rather than writing it twice.
 */
export class OnceMarkers {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly clock: Clock,
    private readonly ttlSeconds = DEDUP_RETENTION_SECONDS,
  ) {}

  private key(name: string): string {
    return `${this.prefix}:alerts:once:${name}`;
  }

  /** Runs `effect` unless the marker is already taken; true when it ran now. */
  async once(name: string, effect: () => Promise<unknown>): Promise<boolean> {
    // The value is only for whoever reads Redis by hand: when the effect ran.
    const taken = await this.redis.set(this.key(name), String(this.clock.now()), 'EX', this.ttlSeconds, 'NX');
    if (taken !== 'OK') return false;
    try {
      await effect();
      return true;
    } catch (err) {
      await this.redis.del(this.key(name));
      throw err;
    }
  }
}
