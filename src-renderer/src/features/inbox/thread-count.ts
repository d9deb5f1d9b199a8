/**
 * The list's count line: "1 thread", "42 threads", or for a search that counted only up to its cap
 * (ThreadPage.totalIsLowerBound, issue 14 §6) "1,000+ threads". English digit grouping, as the rest of the UI.
 */
/**
 * English digit grouping ("1,234"), one formatter for the module: `Number.toLocaleString` builds a formatter on
 * every call, about 0.15 ms in the UI bench's CPU profile, on every list and queue-count render (issue 16 §5).
 */
const grouped = new Intl.NumberFormat('en');

/** `n` with English digit grouping, as `n.toLocaleString('en')`. */
export function groupDigits(n: number): string {
  return grouped.format(n);
}

export function threadCountText(total: number, isLowerBound: boolean): string {
  const n = groupDigits(total);
  if (isLowerBound) return `${n}+ threads`;
  return `${n} ${total === 1 ? 'thread' : 'threads'}`;
}
