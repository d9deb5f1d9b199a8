/**
 * Issue 14 §6 / issue 16 §4, through the router (`inbox.list`: schema, role, lock gate, audit): a search counts
 * matching threads up to 1,000 and says so (`totalIsLowerBound`), pages past that, and a receptionist's count
 * holds administrative-pool threads only. Real portal backend, store, keychain and router; expected values are
 * written by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadPage } from '../../src-shared/views';
import { messageFixture, threadFixture } from '../helpers/fixtures';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';

let portal: TestPortal;
let desk: TestConsole;

const at = (i: number) => new Date(Date.UTC(2026, 9, 1) + i * 60_000).toISOString();

beforeAll(async () => {
  portal = await startPortal();
  desk = await startConsole(portal, { autoStart: false });
  expect((await desk.signIn('admin1')).ok).toBe(true);
  await desk.ok('sync.now');
  await desk.ok('auth.signOut');
  const store = desk.core.store;
  const patientId = store.db.prepare('SELECT id FROM patients ORDER BY id LIMIT 1').pluck().get() as string;
  // 1,001 threads of a clinical pool and 2 of the administrative pool ("front-desk") hold the word "zebrafinch";
  // the administrative ones are the oldest.
  store.transaction(() => {
    for (let i = 0; i < 1003; i++) {
      const id = `zf-${String(i).padStart(4, '0')}`;
      const poolId = i < 2 ? 'front-desk' : 'clinical';
      store.threads.upsert(threadFixture({ id, patientId, poolId, lastMessageAt: at(i) }));
      store.messages.upsert(
        messageFixture({
          id: `zm-${i}`,
          threadId: id,
          authorId: patientId,
          body: 'A zebrafinch note',
          sentAt: at(i),
        }),
      );
    }
  });
}, 120_000);
afterAll(async () => {
  await desk?.close();
  await portal?.close();
});

const list = (offset: number, limit: number) =>
  desk.ok<ThreadPage>('inbox.list', { queue: 'all', search: 'zebrafinch', offset, limit });

describe('search totals through the router', () => {
  it('a clinician sees "1,000+" and pages past it to an exact total', async () => {
    expect((await desk.signIn('clinician1')).ok).toBe(true);
    try {
      const first = await list(0, 50);
      expect(first.total).toBe(1000);
      expect(first.totalIsLowerBound).toBe(true);
      expect(first.threads).toHaveLength(50);
      expect(first.threads[0]!.id).toBe('zf-1002');
      const last = await list(1000, 50);
      expect(last.total).toBe(1003);
      expect('totalIsLowerBound' in last).toBe(false);
      expect(last.threads.map((t) => t.id)).toEqual(['zf-0002', 'zf-0001', 'zf-0000']);
    } finally {
      await desk.ok('auth.signOut');
    }
  });

  it("a receptionist's count holds administrative-pool threads only", async () => {
    expect((await desk.signIn('reception1')).ok).toBe(true);
    try {
      const page = await list(0, 50);
      expect(page.total).toBe(2);
      expect('totalIsLowerBound' in page).toBe(false);
      expect(page.threads.map((t) => t.id)).toEqual(['zf-0001', 'zf-0000']);
    } finally {
      await desk.ok('auth.signOut');
    }
  });
});
