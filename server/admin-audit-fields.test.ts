/**
 * Found by review 7 (R13, failed before the fix): an admin's change is audited with the names of the fields it
 * changed (DESIGN §7: "changed field names"). Renaming a pool was audited as a change of its name, kind, topics and
 * SLA; saving the clinic settings with the value they already had was audited as a change of it. SQLite only (reads the server's own audit table).
 * Expectations by hand.
 */
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import type { PoolRecord } from '../src-shared/triage';
import { useServerDesk } from './test/desk';
import { call } from './test/helpers';

const desk = useServerDesk({ username: 'admin1' });

function lastEventOn(entityId: string): string[] | undefined {
  const db = new Database(path.join(desk.run.dataDir, 'portal.sqlite'), { readonly: true });
  try {
    const row = db
      .prepare(`SELECT fields_json AS fields FROM audit_events WHERE entity_id = ? ORDER BY seq DESC LIMIT 1`)
      .get(entityId) as { fields: string } | undefined;
    return row ? (JSON.parse(row.fields) as string[]) : undefined;
  } finally {
    db.close();
  }
}

describe.skipIf(process.env.CLINIC_TEST_STORE === 'postgres')('an admin change', () => {
  it('names the fields it changed, and only those', async () => {
    const token = desk.login.accessToken;
    const pools = (await call(desk.run.url, 'GET', '/admin/pools', { token })).json as {
      pools: PoolRecord[];
    };
    const pool = pools.pools.find((p) => p.id === 'front-desk')!;
    const renamed = await call(desk.run.url, 'PUT', '/admin/pools/front-desk', {
      token,
      body: { name: 'Front office', kind: pool.kind, topics: pool.topics, sla: pool.sla },
    });
    expect(renamed.status).toBe(200);
    expect(lastEventOn('pool:front-desk')).toEqual(['name']);

    const settings = (await call(desk.run.url, 'GET', '/admin/clinic-settings', { token })).json as {
      settings: { breakGlassMinutes: number };
    };
    const same = await call(desk.run.url, 'PUT', '/admin/clinic-settings', {
      token,
      body: { breakGlassMinutes: settings.settings.breakGlassMinutes },
    });
    expect(same.status).toBe(200);
    expect(lastEventOn('clinic')).toEqual([]);
  });
});
