import { normalizeIso } from '../../../src-shared/instant';
import type { Migration } from './types';

/**
 * Issue 13a: clinic time.
 * - `locations`: the clinic profile's locations with their IANA zone, synced from the server ('location' changes).
 * - `providers.location_id`: the location whose wall clock a provider's working hours are read in ('loc-main',
 *   the server's default location, until the server's provider records arrive again).
 * - `appointments.cancel_code`, `overlap_reason`: guardrails of issue 13 §6.
 * - appointment times written with an offset by an older release are rewritten as UTC instants (`…Z`), so text
 *   order is time order in every range query (issue 13 §2).
 */
export const clinicTime: Migration = {
  version: 5,
  name: 'clinic locations and UTC instants',
  up: (db) => {
    db.exec(`
      CREATE TABLE locations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        time_zone TEXT NOT NULL,
        walk_in_minutes INTEGER NOT NULL DEFAULT 30,
        version INTEGER NOT NULL
      );
      ALTER TABLE providers ADD COLUMN location_id TEXT NOT NULL DEFAULT 'loc-main';
      ALTER TABLE appointments ADD COLUMN cancel_code TEXT;
      ALTER TABLE appointments ADD COLUMN overlap_reason TEXT;
    `);
    const rows = db
      .prepare<[], { id: string; start: string; end: string }>(
        `SELECT id, start, "end" AS end FROM appointments WHERE length(start) <> 24 OR length("end") <> 24
           OR substr(start, 24) <> 'Z' OR substr("end", 24) <> 'Z'`,
      )
      .all();
    const fix = db.prepare('UPDATE appointments SET start = ?, "end" = ? WHERE id = ?');
    for (const r of rows) {
      const start = normalizeIso(r.start);
      const end = normalizeIso(r.end);
      if (start && end) fix.run(start, end, r.id);
    }
  },
};
