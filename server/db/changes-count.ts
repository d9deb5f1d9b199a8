/**
 * Exact "changes after this cursor" counts for pull answers (`remaining`, server/API.md) without counting the
 * whole tail of the change log on every page (session 6, s6sync, issue 16 §2). A COUNT(*) over `seq > cursor`
 * visits every later row: an initial sync of 561k changes in pages of 5,000 visits 31.8M rows, 2.1 s of the
 * backend's ~8.5 CPU-s (measured on the scale-100 bench backend). A console pages forward, so the count after
 * this page is the count after the last one minus the rows between the two cursors: one page of rows, which the
 * pull has just read and tells the count (session 16), so they are not read again.
 *
 * Sound for the SQLite store only: its change log is written by one connection, each write inserts a row with
 * a sequence number above every earlier one (AUTOINCREMENT; INSERT OR REPLACE moves a re-changed entity to the
 * end), and nothing else deletes rows, so an unchanged MAX(seq) means an unchanged log. (PostgreSQL's sequences
 * can commit a lower number after a higher one: pg-store counts in full.)
 */
export class ChangeCounts {
  /** Known counts: after `after`, while the log's MAX(seq) was `top`. A few, for consoles pulling at once. */
  private readonly known: { after: number; top: number; n: number }[] = [];

  /**
   * @param maxSeq the log's largest sequence number now (0 when empty)
   * @param countBetween rows with `after < seq <= upTo` (upTo null: no upper bound)
   */
  constructor(
    private readonly maxSeq: () => number,
    private readonly countBetween: (after: number, upTo: number | null) => number,
    private readonly keep = 32,
  ) {}

  /**
   * The exact number of rows with seq > after. Call inside one read snapshot (the pull's transaction). `page`: the
   * rows with `page.from < seq <= after` number `page.rows` (the page the caller just read in this snapshot), so
   * from a known count after `page.from` no row is read at all (session 16: counting the page's rows again was
   * 0.14 CPU-s of a scale-100 initial sync in isolation, 0.47 s under countChangesAfter in the backend's profile).
   */
  count(after: number, page?: { from: number; rows: number }): number {
    const top = this.maxSeq();
    let best: { after: number; top: number; n: number } | null = null;
    for (const k of this.known)
      if (k.top === top && k.after <= after && (best === null || k.after > best.after)) best = k;
    const between = (from: number): number =>
      page !== undefined && page.from === from ? page.rows : this.countBetween(from, after);
    const n = best ? best.n - between(best.after) : this.countBetween(after, null);
    // Newest first; an older entry for the same cursor or another top of the log is dropped.
    const rest = this.known.filter((k) => k.top === top && k.after !== after);
    this.known.length = 0;
    this.known.push({ after, top, n }, ...rest.slice(0, this.keep - 1));
    return n;
  }
}
