/**
 * What only PostgreSQL has (the shared server suite covers the rest on both stores): instances starting
 * together migrate once, the LISTEN connection comes back after PostgreSQL drops it, the server audit chain
 * cannot fork even if two writers bypassed the write lock, and a failed write transaction leaves nothing.
 * Runs in the vitest project "postgres" against the run's throwaway cluster.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src-shared/domain';
import { testPostgresDatabase } from '../../tests/helpers/pg-test-store';
import { PgStore } from './pg-store';

const stores: PgStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function open(url: string): Promise<PgStore> {
  const store = await PgStore.open(url);
  stores.push(store);
  return store;
}

const event = (id: string, prevHash: string): AuditRecord => ({
  id,
  at: '2026-11-29T10:00:00.000Z',
  staffId: null,
  role: null,
  deviceId: 'portal',
  action: 'read',
  entityType: 'thread',
  entityId: 'thr-1',
  outcome: 'success',
  fields: [],
  actorKind: 'patient',
  prevHash,
  hash: `hash-${id}`,
  version: 1,
});

describe('PgStore', () => {
  it('migrates once when several instances open a new database at the same time', async () => {
    const url = await testPostgresDatabase('migrate');
    const opened = await Promise.all([PgStore.open(url), PgStore.open(url), PgStore.open(url)]);
    stores.push(...opened);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY 1',
      );
      expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    } finally {
      await client.end();
    }
    expect(await opened[2]!.countStaff()).toBe(0);
  });

  it('tells its listeners about changes again after PostgreSQL dropped the LISTEN connection', async () => {
    const url = await testPostgresDatabase('listen');
    const writer = await open(url);
    const reader = await open(url);
    let heard = 0;
    const wake: (() => void)[] = [];
    reader.onChange(() => {
      heard++;
      wake.splice(0).forEach((w) => w());
    });
    const next = () => new Promise<void>((resolve) => wake.push(resolve));
    const first = next();
    await writer.insertDevice({
      id: 'dev-1',
      name: 'Desk 1',
      createdAt: '2026-11-29T10:00:00.000Z',
      revokedAt: null,
      secretHash: null,
      enrolledBy: null,
    });
    await first;
    expect(heard).toBeGreaterThan(0);

    // Kill every LISTEN backend of this database, as a PostgreSQL restart or a network cut would.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
      );
      expect(killed.rowCount).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.end();
    }
    // After reconnecting the listener pokes once (changes may have been missed), then hears new ones again.
    await next();
    const again = next();
    await writer.insertDevice({
      id: 'dev-2',
      name: 'Desk 2',
      createdAt: '2026-11-29T10:01:00.000Z',
      revokedAt: null,
      secretHash: null,
      enrolledBy: null,
    });
    await again;
    expect((await reader.loadChange('device', 'dev-2')).data).toEqual({
      id: 'dev-2',
      name: 'Desk 2',
      version: 1,
    });
  });

  it('refuses a second successor of a server audit event: the chain cannot fork', async () => {
    const store = await open(await testPostgresDatabase('chain'));
    await store.insertAuditEvent(event('a1', ''), 'server');
    await store.insertAuditEvent(event('a2', 'hash-a1'), 'server');
    await expect(store.insertAuditEvent(event('a3', 'hash-a1'), 'server')).rejects.toMatchObject({
      code: '23505',
    });
    // Console events keep their own device chains: the same prevHash there is not a fork of the server's.
    await store.insertAuditEvent(event('c1', 'hash-a1'), 'console');
    expect(await store.lastServerAuditHash()).toBe('hash-a2');
  });

  it('rolls a failed transaction back whole, change log included, and says nothing to listeners', async () => {
    const store = await open(await testPostgresDatabase('rollback'));
    const before = await store.latestSeq();
    await expect(
      store.transaction(async () => {
        await store.insertDevice({
          id: 'dev-x',
          name: 'X',
          createdAt: '2026-11-29T10:00:00.000Z',
          revokedAt: null,
          secretHash: null,
          enrolledBy: null,
        });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.device('dev-x')).toBeNull();
    expect(await store.latestSeq()).toBe(before);
  });
});
