/**
 * Values their owner will never change once handed out (issue 16: the inbox's cached first pages), so work done
 * on one (the router's output validation) can be done once per value instead of once per call. Marking is a
 * promise by the owner; the router holds the validated copy deep-frozen, so a caller that tried to change it
 * would fail loudly (a TypeError in strict mode) rather than change what the next caller gets.
 */
const unchanging = new WeakSet<object>();

/** Mark `value` as never changed from now on; returns it. */
export function markUnchanging<T extends object>(value: T): T {
  unchanging.add(value);
  return value;
}

/** Whether `value` was marked by markUnchanging. */
export function isUnchanging(value: unknown): value is object {
  return typeof value === 'object' && value !== null && unchanging.has(value);
}
