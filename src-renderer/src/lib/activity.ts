/**
 * Tell the host the person is using the console (the browser host has no OS idle time). Throttled to one report
 * per 5 s so typing does not flood the bridge; a monotonic clock keeps the throttle right if the wall clock moves.
 */
import { reportActivity } from '../bridge';

const EVERY_MS = 5_000;
let last = -Infinity;

export function noteActivity(): void {
  const now = performance.now();
  if (now - last < EVERY_MS) return;
  last = now;
  try {
    reportActivity();
  } catch {
    // No bridge (opened without the host's URL): nothing to report to.
  }
}

/** After a lock or sign-out the first input (typing the password) is reported at once, not throttled away. */
export function resetActivityThrottle(): void {
  last = -Infinity;
}

const EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

export function watchActivity(): () => void {
  for (const e of EVENTS) window.addEventListener(e, noteActivity, { passive: true, capture: true });
  return () => {
    for (const e of EVENTS) window.removeEventListener(e, noteActivity, { capture: true });
  };
}
