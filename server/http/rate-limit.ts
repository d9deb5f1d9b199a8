/** Fixed-window request counter per key (e.g. device enrolment per address), kept in memory. */
import { HttpError } from './errors';

export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts one request for `key`; a 429 when the window's budget is spent. */
  hit(key: string): void {
    const now = this.now();
    if (this.windows.size > 10_000) {
      for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    }
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    if (w.count > this.max) {
      const wait = Math.ceil((w.resetAt - now) / 1000);
      throw new HttpError(429, 'THROTTLED', `Too many requests. Try again in ${wait} seconds.`, wait);
    }
  }
}
