import type { Migration } from './types';

/**
 * Issue 13 §4/§5 (branch 13d): recurring series and the waitlist, as the server syncs them.
 * - `appointment_series`: one row per series (entity 'series'); `data` is the validated SeriesRecord JSON (its
 *   RFC 5545 rule text with DTSTART;TZID in the location's zone).
 * - `waitlist_entries`: one row per waitlist entry (entity 'waitlist'); `data` is the WaitlistRecord JSON (ids,
 *   dates, time of day: no free text).
 * - `appointments.series_id`: the series a visit is an occurrence of (NULL: a single visit).
 *
 * Version 10 (file 010) on main.
 */
export const seriesWaitlist: Migration = {
  version: 10,
  name: 'recurring series, waitlist',
  up: (db) => {
    db.exec(`
      CREATE TABLE appointment_series (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        version INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE waitlist_entries (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        data TEXT NOT NULL,
        version INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX waitlist_entries_status ON waitlist_entries (status);
      ALTER TABLE appointments ADD COLUMN series_id TEXT;
      CREATE INDEX appointments_series ON appointments (series_id, start) WHERE series_id IS NOT NULL;
    `);
  },
};
