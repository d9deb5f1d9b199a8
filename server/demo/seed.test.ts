import fs from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SLOT_HOLDING_STATUSES,
  type AppointmentRecord,
  type AuditRecord,
  type ProviderRecord,
} from '../../src-shared/domain';
import { Change } from '../../src-shared/sync';
import { hashAudit } from '../audit/writer';
import { openStore } from '../db/open';
import type { ServerStore } from '../db/types';
import { testDatabaseOption } from '../../tests/helpers/pg-test-store';
import { slotProblem } from '../../src-shared/schedule-rules';
import { tempDir } from '../test/helpers';
import { type DemoCounts, seedDemo } from './seed';

const stores: ServerStore[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function seeded(
  scale: number,
  today = '2026-03-02',
): Promise<{ store: ServerStore; counts: DemoCounts; changes: Change[] }> {
  const dir = await tempDir('seed-test-');
  dirs.push(dir);
  // SQLite in `dir`, or a fresh PostgreSQL database in the vitest project "postgres".
  const store = await openStore({ dataDir: dir, database: await testDatabaseOption('seed') });
  stores.push(store);
  const counts = await seedDemo(store, { today, scale });
  // Set-based, as a pull reads them (one query per entity kind, not one round trip per record).
  const changes = await store.loadChanges(await store.changesAfter(0, 10_000_000));
  return { store, counts, changes };
}

const of = <T>(changes: Change[], entity: Change['entity']) =>
  changes.filter((c) => c.entity === entity).map((c) => c.data as T);

describe('demo seed', () => {
  it('is deterministic: the same options give identical data', async () => {
    const a = await seeded(1);
    const b = await seeded(1);
    expect(a.counts).toEqual(b.counts);
    expect(JSON.stringify(b.changes)).toBe(JSON.stringify(a.changes));
    const c = await seeded(1, '2026-03-03');
    expect(JSON.stringify(c.changes)).not.toBe(JSON.stringify(a.changes));
    // Three seeds: on PostgreSQL at load 10 this took over 60 s (session 6's merged suite); quiet, about 30 s.
  }, 180_000);

  it('fills the change log with schema-valid records a console can pull', async () => {
    const { counts, changes } = await seeded(1);
    changes.forEach((change) => Change.parse(change));
    expect(of(changes, 'provider')).toHaveLength(6);
    expect(of(changes, 'staff')).toHaveLength(5);
    expect(of(changes, 'patient')).toHaveLength(200);
    expect(of(changes, 'thread')).toHaveLength(800);
    expect(of(changes, 'message')).toHaveLength(counts.messages);
    expect(of(changes, 'appointment')).toHaveLength(counts.appointments);
    expect(of(changes, 'audit')).toHaveLength(counts.auditEvents);
    expect(counts.messages).toBeGreaterThan(800);
    expect(counts.messages).toBeLessThanOrEqual(3200);
    expect(counts.appointments).toBeGreaterThan(950);
  });

  it('lays appointments on the providers’ slot grids, weekdays, 30 days back to 60 ahead, never double-booked', async () => {
    const { changes } = await seeded(1);
    const providers = new Map(of<ProviderRecord>(changes, 'provider').map((p) => [p.id, p]));
    const appointments = of<AppointmentRecord>(changes, 'appointment');
    const today = Date.parse('2026-03-02T00:00:00Z');
    const held = new Set<string>();
    for (const a of appointments) {
      expect(slotProblem(providers.get(a.providerId)!, { timeZone: 'UTC' }, a.start, a.end)).toBeNull();
      const day = Math.floor((Date.parse(a.start) - today) / 86_400_000);
      expect(day).toBeGreaterThanOrEqual(-30);
      expect(day).toBeLessThanOrEqual(60);
      expect([0, 6]).not.toContain(new Date(a.start).getUTCDay());
      if (SLOT_HOLDING_STATUSES.includes(a.status)) {
        const key = `${a.providerId}@${a.start}`;
        expect(held.has(key)).toBe(false);
        held.add(key);
      }
    }
    expect(new Set(appointments.map((a) => a.status))).toEqual(
      new Set(['fulfilled', 'noshow', 'cancelled', 'booked', 'checked-in', 'arrived']),
    );
  });

  it('writes the seeded audit trail as one valid hash chain', async () => {
    const { changes } = await seeded(1);
    let prev = '';
    for (const event of of<AuditRecord>(changes, 'audit')) {
      const { hash, ...rest } = event;
      expect(event.prevHash).toBe(prev);
      expect(hashAudit(rest)).toBe(hash);
      prev = hash;
    }
  });

  it('multiplies the clinic with --scale', async () => {
    const one = (await seeded(1)).counts;
    const three = (await seeded(3)).counts;
    expect(three.patients).toBe(3 * one.patients);
    expect(three.threads).toBe(3 * one.threads);
    expect(three.messages / one.messages).toBeGreaterThan(2.8);
    expect(three.messages / one.messages).toBeLessThan(3.2);
    expect(three.appointments / one.appointments).toBeGreaterThan(2.9);
    expect(three.appointments / one.appointments).toBeLessThan(3.1);
  });
});
