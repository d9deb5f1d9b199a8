/**
 * The reference-table repos (providers, locations, visit types, pools) on a real encrypted store: each field
 * goes to its column and comes back, JSON fields round-trip, an upsert overwrites, delete removes, list keeps
 * each table's order, and a corrupt pool row is refused on read. Expected rows are written out by hand.
 */
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/tmp';
import { openDatabase } from '../open';
import { Store } from '../store';

let store: Store;
let cleanup: () => void;

beforeEach(() => {
  const tmp = tempDir();
  cleanup = tmp.cleanup;
  const { db, file } = openDatabase(tmp.dir, crypto.randomBytes(32).toString('hex'));
  store = new Store(db, file);
  store.db.exec('DELETE FROM providers; DELETE FROM locations; DELETE FROM visit_types; DELETE FROM pools');
});
afterEach(() => {
  store.db.close();
  cleanup();
});

describe('reference tables', () => {
  it('stores each provider field in its column and reads it back; an upsert overwrites', () => {
    const provider = {
      id: 'prv-x',
      name: 'Dr. Zed',
      specialty: 'Family medicine',
      locationId: 'loc-2',
      slotMinutes: 20,
      dayStartMinute: 480,
      dayEndMinute: 1020,
      version: 3,
    };
    store.providers.upsert(provider);
    expect(store.db.prepare('SELECT * FROM providers').all()).toEqual([
      {
        id: 'prv-x',
        name: 'Dr. Zed',
        specialty: 'Family medicine',
        location_id: 'loc-2',
        slot_minutes: 20,
        day_start_minute: 480,
        day_end_minute: 1020,
        version: 3,
      },
    ]);
    store.providers.upsert({ ...provider, name: 'Dr. Zed Moved', locationId: 'loc-3', version: 4 });
    expect(store.providers.byId('prv-x')).toEqual({
      ...provider,
      name: 'Dr. Zed Moved',
      locationId: 'loc-3',
      version: 4,
    });
    expect(store.providers.list()).toHaveLength(1);
    store.providers.delete('prv-x');
    store.providers.delete('prv-x'); // again: nothing to delete, no error
    expect(store.providers.byId('prv-x')).toBeNull();
    expect(store.providers.list()).toEqual([]);
  });

  it('lists locations by id and visit types longest first, then by name; provider ids round-trip as JSON', () => {
    store.locations.upsert({
      id: 'loc-b',
      name: 'B',
      timeZone: 'Asia/Kolkata',
      walkInMinutes: 0,
      version: 1,
    });
    store.locations.upsert({
      id: 'loc-a',
      name: 'A',
      timeZone: 'America/New_York',
      walkInMinutes: 15,
      version: 2,
    });
    expect(store.locations.list().map((l) => l.id)).toEqual(['loc-a', 'loc-b']);
    expect(
      store.db.prepare('SELECT time_zone, walk_in_minutes FROM locations WHERE id = ?').get('loc-a'),
    ).toEqual({ time_zone: 'America/New_York', walk_in_minutes: 15 });

    store.visitTypes.upsert({ id: 'vt-1', name: 'Short', minutes: 15, providerIds: ['p1'], version: 1 });
    store.visitTypes.upsert({ id: 'vt-2', name: 'Long', minutes: 45, providerIds: [], version: 1 });
    store.visitTypes.upsert({
      id: 'vt-3',
      name: 'Also short',
      minutes: 15,
      providerIds: ['p1', 'p2'],
      version: 1,
    });
    expect(store.visitTypes.list().map((v) => v.name)).toEqual(['Long', 'Also short', 'Short']);
    expect(store.db.prepare('SELECT provider_ids FROM visit_types WHERE id = ?').pluck().get('vt-3')).toBe(
      '["p1","p2"]',
    );
    expect(store.visitTypes.byId('vt-3')?.providerIds).toEqual(['p1', 'p2']);
  });

  it('checks pools read back, so a corrupt row never reaches the renderer', () => {
    const pool = {
      id: 'desk',
      name: 'Desk',
      kind: 'administrative' as const,
      topics: ['billing-admin' as const],
      sla: { routine: 60, urgent: 30, asap: 20, stat: 10 },
      version: 1,
    };
    store.pools.upsert(pool);
    expect(store.pools.byId('desk')).toEqual(pool);
    store.db.prepare(`UPDATE pools SET sla = '{"routine":-5}' WHERE id = 'desk'`).run();
    expect(() => store.pools.list()).toThrow();
  });
});
