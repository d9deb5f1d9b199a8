import type { Migration } from './types';

/**
 * Session 4, 13c: availability (issue 13 §3), as the server syncs it ('availabilityTemplate' and
 * 'availabilityException' changes): each provider's weekly template at a location (blocks as a JSON array) and
 * the exceptions (holidays, leave, one-off sessions). A provider without a template keeps their default hours.
 * No cursor reset: a console of the release before could not read these changes, so its cursor never passed them.
 *
 * File 012, version 12 (after 010 series/waitlist and 011 withheld threads).
 */
export const availability: Migration = {
  version: 12,
  name: 'availability templates and exceptions',
  up: (db) => {
    db.exec(`
      CREATE TABLE availability_templates (
        id TEXT PRIMARY KEY,
        provider_id TEXT NOT NULL,
        location_id TEXT NOT NULL,
        blocks TEXT NOT NULL,
        version INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX availability_templates_provider ON availability_templates (provider_id, location_id);
      CREATE TABLE availability_exceptions (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('holiday', 'leave', 'session')),
        location_id TEXT NOT NULL,
        provider_id TEXT,
        from_date TEXT NOT NULL,
        to_date TEXT NOT NULL,
        start_minute INTEGER,
        end_minute INTEGER,
        label TEXT NOT NULL,
        version INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX availability_exceptions_location ON availability_exceptions (location_id, to_date);
    `);
  },
};
