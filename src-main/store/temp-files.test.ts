/**
 * Session 9 (s9rss): nothing of the store reaches the disk in clear through SQLite's temporary files. SQLite3
 * Multiple Ciphers encrypts the database, its WAL and journals, not temporary files (sorts larger than the page
 * cache, statement journals, temporary tables); this build's default puts them in files (SQLITE_TEMP_STORE=1), and
 * an initial sync wrote store pages in clear to /var/tmp/etilqs_* (strace, bench/profile-sync-memory.ts). The store's
 * connection keeps them in memory (STORE_PRAGMAS `temp_store = MEMORY`).
 *
 * How it is seen: a sort that does not fit the page cache spills to a temporary file the moment its rows pass the
 * cache's size, and SQLite keeps that file open (already unlinked) while the sorted rows are read. So after the first
 * row of such a sort, this process's open files (/proc/self/fd, Linux) name no `etilqs_` file.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTestStore } from '../../tests/helpers/sync-store';

/** This process's open files that are SQLite temporary files (their names start with `etilqs_`). */
function openTempFiles(): string[] {
  const names: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (target.includes('etilqs_')) names.push(target);
    } catch {
      // closed meanwhile (the readdir's own descriptor)
    }
  }
  return names;
}

/** 200,000 rows sorted by a text that looks like a name (about 6 MB: far more than the page cache set below). */
const BIG_SORT = `
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
  SELECT printf('%06d family name of patient %d', (i * 7919) % 200000, i) AS v FROM n ORDER BY v`;

describe.runIf(process.platform === 'linux')('temporary files of the store (DESIGN §2, §4)', () => {
  const freshStore = useTestStore('clinic-temp-');

  it('a sort larger than the page cache writes no temporary file', () => {
    const t = freshStore();
    const db = t.store.db;
    // A page cache of 256 KiB: the sort below passes it (and SQLite's smallest spill size, 250 pages) many times.
    db.pragma('cache_size = -256');
    const rows = db.prepare<[], { v: string }>(BIG_SORT).iterate();
    const first = rows.next();
    // The sort ran to its end (its first row is the smallest), and it is still being read: a spill's file is open.
    expect(first.value?.v).toBe('000000 family name of patient 200000');
    const open = openTempFiles();
    rows.return?.();
    expect(open).toEqual([]);
  });

  it('the setting holds on every connection the store opens (not a build default)', () => {
    const t = freshStore();
    // 2 = MEMORY (sqlite.org/pragma.html#pragma_temp_store); 0 would be this build's default, files.
    expect(t.store.db.pragma('temp_store', { simple: true })).toBe(2);
  });
});
