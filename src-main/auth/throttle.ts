/**
 * Sign-in and unlock failures on this device (DESIGN.md §6): the first few are free, then each further attempt
 * must wait longer, and at LOCKOUT_AFTER the account is locked on this device until an online sign-in succeeds.
 */
export const FREE_ATTEMPTS = 3;
export const LOCKOUT_AFTER = 8;
const BASE_DELAY_SECONDS = 5;
const MAX_DELAY_SECONDS = 300;

/** Seconds to wait after `failures` failed attempts before the next one is allowed. */
export function delayAfter(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** (failures - FREE_ATTEMPTS));
}

/** Seconds still to wait now, given the failure count and the time of the last failure. */
export function waitRemaining(failures: number, lastFailedAtMs: number | null, nowMs: number): number {
  if (lastFailedAtMs === null) return 0;
  const until = lastFailedAtMs + delayAfter(failures) * 1000;
  return Math.max(0, Math.ceil((until - nowMs) / 1000));
}
