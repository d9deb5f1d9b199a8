/**
 * Session 5 (16s), issue 16 §2: SqliteStore.loadChanges reads a pull page's high-volume entities set-based (one
 * statement per entity). It must answer exactly what reading each change on its own answers (loadChange, the
 * one-by-one path every other caller uses), in the page's order, with null data for a record that is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store';
import { seedDemo } from '../demo/seed';
import { tempDir } from '../../tests/helpers/tmp';

let store: SqliteStore;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir('portal-load-changes-');
  cleanup = t.cleanup;
  store = new SqliteStore(t.dir);
  await seedDemo(store, { today: '2026-11-24', scale: 1 });
});
afterAll(async () => {
  await store.close();
  cleanup();
});

describe('SqliteStore.loadChanges', () => {
  it('answers each page as loadChange does, record by record, in the page order', async () => {
    let after = 0;
    const seen = new Set<string>();
    for (;;) {
      const refs = await store.changesAfter(after, 997);
      if (refs.length === 0) break;
      const page = await store.loadChanges(refs);
      const one = [];
      for (const r of refs) one.push(await store.loadChange(r.entity, r.id));
      expect(page).toEqual(one);
      for (const c of page) seen.add(c.entity);
      after = refs.at(-1)!.seq;
    }
    // The page covered every set-based entity and others (read one by one).
    for (const e of ['patient', 'thread', 'message', 'appointment', 'audit', 'staff', 'provider'])
      expect(seen.has(e), e).toBe(true);
  });

  it('gives a record that is gone null data, between records that exist', async () => {
    const [a, b] = await store.changesAfter(0, 2);
    const refs = [
      a!,
      { seq: 0, entity: 'message' as const, id: 'msg-gone' },
      { seq: 0, entity: 'audit' as const, id: 'aud-gone' },
      b!,
    ];
    const page = await store.loadChanges(refs);
    expect(page.map((c) => [c.entity, c.id, c.data === null])).toEqual([
      [a!.entity, a!.id, false],
      ['message', 'msg-gone', true],
      ['audit', 'aud-gone', true],
      [b!.entity, b!.id, false],
    ]);
  });
});
