/**
 * The list's count line: "1 thread", "42 threads", or for a search that counted only up to its cap
 * (ThreadPage.totalIsLowerBound, issue 14 §6) "1,000+ threads". English digit grouping, as the rest of the UI.
 */
export function threadCountText(total: number, isLowerBound: boolean): string {
  const n = total.toLocaleString('en');
  if (isLowerBound) return `${n}+ threads`;
  return `${n} ${total === 1 ? 'thread' : 'threads'}`;
}
