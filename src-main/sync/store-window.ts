/**
 * The store window (DESIGN.md §4, issue 12): a desk keeps open threads plus closed ones whose last message is
 * within `closedThreadDays`, and appointments from `scheduleBackDays` back to `scheduleAheadDays` ahead
 * (admin settings). What falls out is deleted with SQLite's `secure_delete` on (freed pages are overwritten
 * with zeros), its full-text index entries included (the index is merged so no old segment keeps them), and
 * the WAL is checkpointed and truncated so no older copy of a page stays in it. Records with queued changes
 * are kept. Audit events about evicted records stay until synced, then are pruned behind the verified
 * checkpoint (src-main/audit/checkpoint.ts). A record outside the window is fetched from the server on demand (SyncEngine.fetchRecord).
 */
import type { Settings } from '../../src-shared/views';
import { pruneAuditOfAbsentRecords } from '../audit/checkpoint';
import { StoreWindowRepo, type WindowBounds } from '../store/repos/store-window';
import type { Store } from '../store/store';

export type StoreWindow = Pick<Settings, 'closedThreadDays' | 'scheduleBackDays' | 'scheduleAheadDays'>;

const DAY_MS = 86_400_000;

/** The window's bounds at `nowMs` (ms since the epoch, UTC). */
export function windowBounds(nowMs: number, w: StoreWindow): WindowBounds {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    closedBefore: iso(nowMs - w.closedThreadDays * DAY_MS),
    scheduleFrom: iso(nowMs - w.scheduleBackDays * DAY_MS),
    scheduleTo: iso(nowMs + w.scheduleAheadDays * DAY_MS),
  };
}

export interface EvictResult {
  threads: number;
  messages: number;
  appointments: number;
  /** Synced audit events of records no longer in the store, replaced by link-only tombstones. */
  auditPruned: number;
}

/** Delete everything outside the window at `nowMs`. Errors: SQLite's (the transaction rolls back). */
export function evictOutsideWindow(store: Store, nowMs: number, w: StoreWindow): EvictResult {
  const db = store.db;
  const repo = new StoreWindowRepo(db);
  // This build of SQLite defaults to secure_delete on; eviction must not depend on a build default.
  const before = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    const result = store.transaction(() => {
      const r = repo.evict(windowBounds(nowMs, w));
      // Drops the evicted threads' index rows (they are dirty now) in the same transaction.
      store.threads.refreshSearch(1);
      return r;
    });
    // Their audit events go too, once synced, behind the verified checkpoint (the chain still verifies).
    const auditPruned = pruneAuditOfAbsentRecords(store);
    if (result.threads > 0) {
      // Contentless FTS5 keeps a deleted row's terms in old segments until they merge: merge them all now.
      store.threads.mergeSearchIfPending();
      // The prefix vocabulary (migration 15) must not keep their words either.
      store.threads.pruneSearchVocabulary();
    }
    if (result.threads + result.appointments + auditPruned > 0) db.pragma('wal_checkpoint(TRUNCATE)');
    return { ...result, auditPruned };
  } finally {
    db.pragma(`secure_delete = ${before === 0 ? 'OFF' : 'ON'}`);
  }
}
