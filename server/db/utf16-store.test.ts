/**
 * A backend database file whose text is UTF-16 (SQLite's `encoding`, fixed when the file is made; this store makes
 * UTF-8 files, but a file restored or imported from elsewhere may not be). Pull pages are sent as the bytes SQLite
 * holds (server/sync/pull.ts, session 16), which would be UTF-16 there, so such a store serves them row by row
 * (SqliteStore.pullPage). Review of session 16. Real SQLite, the demo clinic.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { PullResponse } from '../../src-shared/sync';
import { seedDemo } from '../demo/seed';
import { pull } from '../sync/pull';
import { tempDir } from '../../tests/helpers/tmp';
import { SqliteStore } from './sqlite-store';

describe('a backend database in UTF-16', () => {
  it('serves pull pages as UTF-8 JSON, each record as the store reads it', async () => {
    const t = tempDir('portal-utf16-');
    const made = new Database(`${t.dir}/portal.sqlite`);
    made.pragma("encoding = 'UTF-16le'");
    made.exec('CREATE TABLE made_elsewhere (x TEXT); DROP TABLE made_elsewhere;');
    made.close();
    const store = new SqliteStore(t.dir);
    try {
      await seedDemo(store, { today: '2026-11-24', scale: 0.02 });
      const direct = new Database(`${t.dir}/portal.sqlite`, { readonly: true });
      expect(direct.pragma('encoding', { simple: true })).toBe('UTF-16le');
      direct.close();
      const answer = await pull(store, { limit: '200' }, 'clinician', {});
      const page = JSON.parse(answer.body.toString('utf8')) as PullResponse;
      expect(page.changes.length).toBeGreaterThan(50); // at most 200 (the byte budget may end a page sooner)
      for (const change of page.changes)
        expect(change).toEqual(await store.loadChange(change.entity, change.id));
    } finally {
      await store.close();
      t.cleanup();
    }
  });
});
