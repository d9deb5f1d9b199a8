/**
 * Ordinary use of a desk never breaks its audit chain on the server (issue 10): the server refuses a link it
 * cannot verify, and every later event of that PC is then refused as a gap, so one wrongly refused event would
 * stop the PC's trail from reaching the server for good. Found in the e2e screens run: a wrong password typed for
 * a known username that had never signed in on this PC was refused ("never signed in on this PC").
 * Real portal backend on loopback, real store and keychain, real router.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoStaff } from '../../server/demo/credentials';
import type { SyncProblem } from '../../src-shared/views';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';

let portal: TestPortal;
let desk: TestConsole;

beforeAll(async () => {
  portal = await startPortal();
  desk = await startConsole(portal, { autoStart: false });
});

afterAll(async () => {
  await desk?.close();
  await portal?.close();
});

it('wrong passwords for people new to this PC, then ordinary work: every audit event reaches the server', async () => {
  expect((await desk.signIn('admin1')).ok).toBe(true);
  await desk.ok('sync.now');
  await desk.ok('auth.signOut');
  // clinician2 never signed in on this PC (the PC knows the username from the synced staff list).
  for (const username of ['clinician2', 'reception2']) {
    const wrong = await desk.call('auth.signIn', { username, password: 'wrong-password', totp: '123456' });
    expect(wrong.ok).toBe(false);
  }
  const failed = desk.core.store.db
    .prepare(`SELECT staff_id FROM audit_events WHERE action = 'failed-sign-in' AND staff_id IS NOT NULL`)
    .all();
  expect(failed.length).toBeGreaterThanOrEqual(2);
  portal.clock.advance(31_000);
  expect((await desk.signIn('admin1')).ok).toBe(true);
  await desk.ok('inbox.list', { queue: 'all', offset: 0, limit: 5 });
  await desk.ok('sync.now');
  await desk.ok('sync.now');

  expect(await portal.server.store.auditAlerts(100)).toEqual([]);
  const problems = await desk.ok<SyncProblem[]>('sync.problems');
  expect(problems).toEqual([]);
  const local = desk.core.store.db.prepare(`SELECT id FROM audit_events WHERE id IS NOT NULL`).all() as {
    id: string;
  }[];
  for (const { id } of local) expect(await portal.server.store.auditEvent(id), id).not.toBeNull();
  expect(demoStaff('clinician2').username).toBe('clinician2');
});
