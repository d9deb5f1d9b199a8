import type { Migration } from './types';

/**
 * Session 4, 14c (issue 14 §3-§5): what the server syncs for coverage, the clinic-set break-glass time and pool
 * templates. Each table keeps the record as the server sent it (validated JSON, parsed again on read) with the
 * columns the console queries by.
 * - `absences`: clinicians' absences with their covering colleague (entity 'absence').
 * - `clinic_settings`: the one clinic settings record (entity 'clinicSettings'; break-glass minutes).
 * - `pool_templates`: the reply templates of each pool (entity 'poolTemplate').
 *
 * The server seeds its clinic settings record as a change, so every console receives it with its next pull.
 */
export const coverage: Migration = {
  version: 13,
  name: 'coverage absences, clinic settings, pool templates',
  up: (db) => {
    db.exec(`
      CREATE TABLE absences (
        id TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL,
        cover_id TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE TABLE clinic_settings (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL
      ) STRICT;
      CREATE TABLE pool_templates (
        id TEXT PRIMARY KEY,
        pool_id TEXT NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX pool_templates_pool ON pool_templates (pool_id);
    `);
  },
};
