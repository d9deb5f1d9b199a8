import type { Migration } from './types';

/**
 * Session 7, sec7:
 * - review 7 U9: whether a staff account is active, as the backend's pulled staff record says
 *   (`StaffRecord.active`). A deactivated account's session ends and its offline sign-in is refused on this PC
 *   (src-main/auth/auth-service.ts); rows from before are active, as they were on the backend when pulled.
 * - review 7 U7: the terms of messages deleted before this version may still sit in the search index's segments
 *   under tombstones (contentless_delete=1): one merge of the whole index drops them (from now on a deletion
 *   notes a merge, which the core runs on lock and sign-out: repos/search-index.ts mergeIfPending).
 *
 * File 019, version 19 (sec7, renumbered in merge order).
 */
export const staffActive: Migration = {
  version: 19,
  name: 'staff active flag; search index merged once',
  up: (db) => {
    db.exec('ALTER TABLE staff ADD COLUMN active INTEGER NOT NULL DEFAULT 1');
    db.exec(`INSERT INTO messages_fts (messages_fts) VALUES ('optimize')`);
  },
};
