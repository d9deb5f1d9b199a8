/**
 * Review 7 R5, the console's half: a thread re-routed on this PC into a pool its holder's role may not work shows
 * unassigned at once (the optimistic local change, src-main/sync/local-mutations.ts), as the server then records
 * it (server/triage-route-assignee.test.ts); a clinician holder keeps it. Real encrypted store. Expectations by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SLA } from '../../src-shared/triage';
import { recordLocalMutation } from '../../src-main/sync/local-mutations';
import { TestClock } from '../helpers/console-harness';
import { patientFixture, threadFixture } from '../helpers/fixtures';
import { makeTestStore, type TestStore } from '../helpers/sync-store';

let t: TestStore | undefined;
afterEach(() => t?.dispose());

const staff = (id: string, role: 'receptionist' | 'clinician') => ({
  id,
  username: id,
  displayName: id,
  role,
  providerId: null,
  version: 1,
});

describe('a thread re-routed on this PC', () => {
  it('leaves its receptionist holder when it goes clinical, and keeps a clinician holder', () => {
    t = makeTestStore('clinic-route-holder-');
    const store = t.store;
    store.transaction(() => {
      store.patients.upsert(patientFixture());
      store.staff.upsert(staff('stf-r', 'receptionist'));
      store.staff.upsert(staff('stf-c', 'clinician'));
      for (const [id, kind] of [
        ['front-desk', 'administrative'],
        ['clinical', 'clinical'],
      ] as const)
        store.pools.upsert({ id, name: id, kind, topics: [], sla: DEFAULT_SLA, version: 1 });
      store.threads.upsert(threadFixture({ id: 'thr-r', assigneeId: 'stf-r', poolId: 'front-desk' }));
      store.threads.upsert(threadFixture({ id: 'thr-c', assigneeId: 'stf-c', poolId: 'front-desk' }));
    });
    const clock = new TestClock();
    for (const id of ['thr-r', 'thr-c'])
      recordLocalMutation(store, clock, {
        entity: 'thread',
        entityId: id,
        baseVersion: 1,
        staffId: 'stf-r',
        mutation: { op: 'thread.route', poolId: 'clinical' },
      });
    expect(store.threads.byId('thr-r')).toMatchObject({ poolId: 'clinical', assigneeId: null });
    expect(store.threads.byId('thr-c')).toMatchObject({ poolId: 'clinical', assigneeId: 'stf-c' });
  });
});
