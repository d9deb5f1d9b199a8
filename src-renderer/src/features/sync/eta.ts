/**
 * The time a long first sync still needs (issue 16: a progress bar with records and the estimated time left),
 * from the rate seen since the download started. Pure, so it is tested without a browser.
 */
export interface ProgressSample {
  done: number;
  /** ms, from the renderer's clock (performance.now() or Date.now()) */
  at: number;
}

/** Rates measured over less than this (ms) or fewer records are too noisy to show. */
const MIN_SPAN_MS = 1_000;
const MIN_RECORDS = 1_000;

/**
 * Seconds left at the average rate since `start`, or null while there is too little to go on (the first second,
 * the first thousand records, a total that went down). Never negative.
 */
export function secondsLeft(start: ProgressSample, now: ProgressSample, total: number): number | null {
  const span = now.at - start.at;
  const records = now.done - start.done;
  if (span < MIN_SPAN_MS || records < MIN_RECORDS || total < now.done) return null;
  return Math.max(0, Math.ceil(((total - now.done) * span) / records / 1000));
}

/** "about 40 s left", "about 3 min left" (rounded up to whole minutes past 90 s). */
export function timeLeftLabel(seconds: number): string {
  if (seconds <= 90) return `about ${Math.max(1, seconds)} s left`;
  return `about ${Math.ceil(seconds / 60)} min left`;
}
