import type { Migration } from './types';

/**
 * Session 7, sec7 (review 7 U9): whether a staff account is active, as the backend's pulled staff record says
 * (`StaffRecord.active`). A deactivated account's session ends and its offline sign-in is refused on this PC
 * (src-main/auth/auth-service.ts); rows from before are active, as they were on the backend when pulled.
 *
 * File 022, version 22 (the lead renumbers in merge order).
 */
export const staffActive: Migration = {
  version: 22,
  name: 'staff active flag',
  up: (db) => {
    db.exec('ALTER TABLE staff ADD COLUMN active INTEGER NOT NULL DEFAULT 1');
  },
};
