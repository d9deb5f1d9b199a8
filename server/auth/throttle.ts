/**
 * Sign-in throttling: after 5 failures within 15 minutes a key (account, device, MRN or address) is
 * locked for 30 s, doubling with each further failure, up to 15 minutes.
 */
import type { ServerStore } from '../db/types';

export const THROTTLE = {
  windowMs: 15 * 60_000,
  freeFailures: 5,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
} as const;

/** Seconds until `key` may try again, or 0. */
export async function retryAfterSeconds(store: ServerStore, key: string, now: number): Promise<number> {
  const failures = await store.authFailuresSince(key, now - THROTTLE.windowMs);
  const excess = failures.length - THROTTLE.freeFailures;
  if (excess < 0) return 0;
  const lockMs = Math.min(THROTTLE.maxLockMs, THROTTLE.baseLockMs * 2 ** excess);
  const until = failures[failures.length - 1]! + lockMs;
  return until > now ? Math.ceil((until - now) / 1000) : 0;
}

/** The longest wait over several keys. */
export async function retryAfterAny(store: ServerStore, keys: string[], now: number): Promise<number> {
  const waits = await Promise.all(keys.map((key) => retryAfterSeconds(store, key, now)));
  return Math.max(0, ...waits);
}

export async function recordFailure(store: ServerStore, keys: string[], now: number): Promise<void> {
  await store.transaction(async () => {
    for (const key of keys) await store.addAuthFailure(key, now);
  });
}
