/** Migrations from an empty file and from every earlier schema version, on real SQLCipher files. */
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { patientFixture } from '../../tests/helpers/fixtures';
import { snapshotDir, tempDir } from '../../tests/helpers/tmp';
import { StoreError } from './errors';
import { LATEST_VERSION, MIGRATIONS, schemaVersion } from './migrations';
import { openDatabase } from './open';

const key = crypto.randomBytes(32).toString('hex');
const TABLES = [
  'staff',
  'devices',
  'providers',
  'patients',
  'threads',
  'messages',
  'messages_fts',
  'attachments',
  'appointments',
  'audit_events',
  'outbox',
  'sync_state',
  'settings',
];

describe('migrations', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('build the whole schema from an empty file', () => {
    const { db, created, migratedFrom } = openDatabase(dir, key);
    expect(created).toBe(true);
    expect(migratedFrom).toBe(0);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    const names = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]
    ).map((r) => r.name);
    for (const table of TABLES) expect(names).toContain(table);
    db.close();
  });

  for (let from = 1; from < LATEST_VERSION; from++) {
    it(`upgrade from version ${from} keeps the data`, () => {
      const old = openDatabase(dir, key, { upTo: from });
      expect(schemaVersion(old.db)).toBe(from);
      const p = patientFixture();
      old.db
        .prepare(
          `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, version)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(p.id, p.mrn, p.givenName, p.familyName, p.birthDate, p.phone, p.version);
      old.db.close();

      const upgraded = openDatabase(dir, key);
      expect(upgraded.migratedFrom).toBe(from);
      expect(schemaVersion(upgraded.db)).toBe(LATEST_VERSION);
      expect(upgraded.db.prepare('SELECT family_name FROM patients').get()).toEqual({
        family_name: p.familyName,
      });
      expect(upgraded.db.pragma('integrity_check', { simple: true })).toBe('ok');
      upgraded.db.close();
    });
  }

  it('a failing migration rolls back and leaves the version where it was', () => {
    const { db } = openDatabase(dir, key, { upTo: 1 });
    // Make migration 2 fail midway: its first statement adds a column that now already exists.
    db.exec('ALTER TABLE threads ADD COLUMN seen_at TEXT');
    db.close();
    expect(() => openDatabase(dir, key)).toThrow(/duplicate column/);
    const again = openDatabase(dir, key, { upTo: 1 });
    expect(schemaVersion(again.db)).toBe(1);
    expect(
      again.db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'sync_problems'`).get(),
    ).toEqual({
      n: 0,
    });
    again.db.close();
  });

  it('refuses a store from a newer app version and leaves it unchanged', () => {
    const { db } = openDatabase(dir, key);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const before = snapshotDir(dir);
    let error: unknown;
    try {
      openDatabase(dir, key);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('NEWER_SCHEMA');
    expect(snapshotDir(dir)).toEqual(before);
  });
});
