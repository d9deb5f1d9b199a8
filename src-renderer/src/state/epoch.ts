/**
 * The PHI epoch: bumped every time PHI is dropped (lock, sign-out, user switch). A load started in one epoch
 * never writes its answer into a store in a later one, so an answer that arrives after the lock is discarded.
 */
let epoch = 0;

export const phiEpoch = (): number => epoch;

export function nextPhiEpoch(): void {
  epoch++;
}

/** Run `apply` only if no lock happened since `started`. */
export function ifCurrent(started: number, apply: () => void): boolean {
  if (started !== epoch) return false;
  apply();
  return true;
}
