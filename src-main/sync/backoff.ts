/**
 * Retry delays for an offline console: exponential backoff with full jitter (AWS Architecture Blog,
 * "Exponential Backoff And Jitter"), so many desks coming back at once do not hammer the portal together.
 */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** No retry ever waits longer than this. */
  capMs: number;
  /** Never retry sooner than this: full jitter may draw ~0, and a run of tiny draws must not become a busy loop. */
  floorMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 60_000, floorMs: 100 };

/** Delay before retry number `attempt` (0 for the first retry): uniform in [floor, min(cap, base·2^attempt)]. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  const floor = Math.min(options.floorMs, ceiling);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(floor + r * (ceiling - floor));
}
