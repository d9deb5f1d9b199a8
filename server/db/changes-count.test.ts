/**
 * Session 6 (s6sync), issue 16 §2: a pull answer's `remaining` is counted from the last page's count
 * (changes-count.ts). It must always equal a full COUNT(*) of the change log after the cursor: consoles paging
 * forward, several consoles at different cursors, a console starting over or going back, and entities changed
 * again (INSERT OR REPLACE moves them to the end) or added between pages. Real SQLite, the server's own schema
 * for the change log, and the SqliteStore over a seeded demo clinic.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangeCounts } from './changes-count';
import { SqliteStore } from './sqlite-store';
import { seedDemo } from '../demo/seed';
import { tempDir } from '../../tests/helpers/tmp';

/**
 * An in-memory change log with the server's schema for it (call inside a describe: closed after its tests), and a
 * ChangeCounts over it that tallies what it reads: `reads.calls` counts between two cursors, `reads.rows` rows.
 */
function changeLog() {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, id TEXT NOT NULL,
           UNIQUE (entity, id))`);
  afterAll(() => db.close());
  const reads = { calls: 0, rows: 0 };
  return {
    reads,
    write: db.prepare('INSERT OR REPLACE INTO changes (entity, id) VALUES (?, ?)'),
    full: (after: number): number =>
      (db.prepare('SELECT COUNT(*) AS n FROM changes WHERE seq > ?').get(after) as { n: number }).n,
    /** The seqs of one page after `after`, in order. */
    pageAfter: (after: number, limit: number): number[] =>
      db
        .prepare<[number, number], { seq: number }>(
          'SELECT seq FROM changes WHERE seq > ? ORDER BY seq LIMIT ?',
        )
        .all(after, limit)
        .map((r) => r.seq),
    counts: new ChangeCounts(
      () => (db.prepare('SELECT MAX(seq) AS m FROM changes').get() as { m: number | null }).m ?? 0,
      (after, upTo) => {
        const { n } = db
          .prepare<[number, number], { n: number }>(
            'SELECT COUNT(*) AS n FROM changes WHERE seq > ? AND seq <= ?',
          )
          .get(after, upTo ?? Number.MAX_SAFE_INTEGER)!;
        reads.calls++;
        reads.rows += n;
        return n;
      },
    ),
  };
}

describe('ChangeCounts', () => {
  const { reads, write, full, pageAfter, counts } = changeLog();

  it('equals a full count under random paging, re-changes and additions (seeded, 2,000 steps)', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) write.run('patient', `p${i}`);
    const cursors = [0, 0, 0]; // three consoles
    for (let step = 0; step < 2000; step++) {
      const c = random(3);
      const action = random(10);
      if (action === 0)
        write.run('patient', `p${random(4000)}`); // re-change or a new entity
      else if (action === 1)
        cursors[c] = random(2) === 0 ? 0 : Math.max(0, cursors[c]! - random(500)); // back
      else {
        const page = pageAfter(cursors[c]!, 1 + random(200));
        if (page.length > 0) cursors[c] = page.at(-1)!;
      }
      expect(counts.count(cursors[c]!), `step ${step}`).toBe(full(cursors[c]!));
    }
  });

  it('pages forward through a long log counting about one page of rows per page, not the whole tail', () => {
    for (let i = 0; i < 20_000; i++) write.run('message', `m${i}`);
    let after = 0;
    counts.count(after);
    reads.rows = 0;
    let pages = 0;
    for (;;) {
      const page = pageAfter(after, 1000);
      if (page.length === 0) break;
      after = page.at(-1)!;
      expect(counts.count(after)).toBe(full(after));
      pages++;
    }
    // A full count per page would visit ~pages²/2 × 1,000 rows; from the last page's count, one page each.
    expect(pages).toBeGreaterThan(20);
    expect(reads.rows).toBeLessThanOrEqual(pages * 1000);
  });
});

describe('ChangeCounts told of the page just read (session 16)', () => {
  const { reads, write, full, pageAfter, counts } = changeLog();

  it('counts forward from the page without reading it again, and exactly', () => {
    for (let i = 0; i < 5_000; i++) write.run('message', `m${i}`);
    expect(counts.count(0)).toBe(5_000);
    reads.calls = 0;
    let after = 0;
    for (;;) {
      const page = pageAfter(after, 700);
      const next = page.at(-1) ?? after;
      expect(counts.count(next, { from: after, rows: page.length })).toBe(full(next));
      after = next;
      if (page.length === 0) break;
    }
    expect(reads.calls).toBe(0);
  });

  // After the test above (its 5,000 rows and the counts it left known).
  it('reads the rows when the page is not from the cursor it knows, or the log has grown', () => {
    expect(counts.count(1_000)).toBe(4_000);
    reads.calls = 0;
    // A page said to start at 900: no count is known there, so the rows after the nearest known count are read.
    expect(counts.count(1_500, { from: 900, rows: 600 })).toBe(3_500);
    expect(reads.calls).toBe(1);
    write.run('message', 'm-new');
    reads.calls = 0;
    expect(counts.count(2_000, { from: 1_500, rows: 500 })).toBe(full(2_000));
    expect(reads.calls).toBe(1);
  });
});

describe('SqliteStore: remaining in pull pages', () => {
  it('counts what a full COUNT(*) counts, page after page, with writes between pages', async () => {
    const t = tempDir('portal-changes-count-');
    const store = new SqliteStore(t.dir);
    try {
      await seedDemo(store, { today: '2026-11-24', scale: 0.2 });
      const direct = new Database(`${t.dir}/portal.sqlite`, { readonly: true });
      const full = (after: number): number =>
        (direct.prepare('SELECT COUNT(*) AS n FROM changes WHERE seq > ?').get(after) as { n: number }).n;
      const firstThread = async () =>
        (await store.changesAfter(0, 100_000)).find((r) => r.entity === 'thread')!;
      let after = 0;
      let pages = 0;
      for (;;) {
        const refs = await store.changesAfter(after, 97);
        if (refs.length === 0) break;
        after = refs.at(-1)!.seq;
        if (pages % 3 === 1) {
          // Another desk changes a thread already paged past: it moves to the end of the log.
          const old = refs.find((r) => r.entity === 'thread') ?? (await firstThread());
          const thread = await store.thread(old.id);
          await store.updateThread({ ...thread!, version: thread!.version + 1 });
        }
        expect(await store.countChangesAfter(after)).toBe(full(after));
        pages++;
      }
      expect(pages).toBeGreaterThan(10);
      direct.close();
    } finally {
      await store.close();
      t.cleanup();
    }
  });
});
