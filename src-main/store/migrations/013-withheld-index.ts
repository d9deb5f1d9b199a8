import type { Migration } from './types';

/**
 * Issue 16 (the per-sync withheld-bodies check): every sync cycle of a clinician's session asks for the threads
 * whose bodies the server withheld (`ThreadsRepo.withheldIds`, src-main/sync/engine.ts fetchWithheld), which
 * read every thread row without an index (a full scan of 80k threads, decrypted page by page, per cycle). This
 * partial index holds only withheld threads: the check reads it and nothing else, and writes of other threads
 * never touch it.
 *
 * File 013 is branch 16b's migration number (session 4); its version is its place in the list, renumbered on merge.
 */
export const withheldIndex: Migration = {
  version: 10,
  name: 'index of threads with withheld bodies',
  up: (db) => {
    db.exec(`CREATE INDEX threads_withheld ON threads (id) WHERE bodies_withheld = 1;`);
  },
};
