/**
 * Review 8, suspicion 1 (session 8, sec8): the `data.changed` event says when a change removed patients, threads
 * or messages from the store (a deletion pulled, an eviction), so the renderer drops the lists it keeps rather
 * than show them stale. Review 9, suspicion 5 (session 9, s9sec): also when a change withheld something a list
 * showed from the person (a thread moved to another pool, bodies newly withheld, a pool made clinical, a role
 * changed), and only then: a search answer asked before any other change (a new message, a priority changed) is
 * shown. Changes applied as a pull applies them (applyChange), and as the console's own changes write them, on a
 * real encrypted store; expectations written by hand.
 */
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change } from '../../src-shared/sync';
import { DEFAULT_POOLS } from '../../src-shared/triage';
import { messageFixture, patientFixture, threadFixture } from '../../tests/helpers/fixtures';
import { tempDir } from '../../tests/helpers/tmp';
import { openDatabase } from '../store/open';
import { Store } from '../store/store';
import { ReachChanges } from '../store/reach-changes';
import { applyChange, defaultAuditHandler } from './apply-changes';
import { removalMarker } from './removed-records';

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

function open(): Store {
  const tmp = tempDir();
  const { db, file } = openDatabase(tmp.dir, crypto.randomBytes(32).toString('hex'));
  const store = new Store(db, file);
  cleanup = () => {
    store.close();
    tmp.cleanup();
  };
  return store;
}

describe('data.changed after records left the store', () => {
  it('is marked "removed" only after a deletion of a patient, thread or message', () => {
    const store = open();
    const apply = (...changes: Change[]) =>
      store.db.transaction(() => {
        for (const c of changes) applyChange(store, c, defaultAuditHandler(store));
      })();
    const mark = removalMarker(store.changes, ReachChanges.of(store.db));

    apply(
      { entity: 'patient', id: 'pat-1', data: patientFixture() },
      { entity: 'thread', id: 'thr-1', data: threadFixture() },
      { entity: 'message', id: 'msg-1', data: messageFixture() },
      { entity: 'message', id: 'msg-2', data: messageFixture({ id: 'msg-2', body: 'Second' }) },
    );
    expect(mark(['patient', 'thread', 'message'])).toEqual(['patient', 'thread', 'message']);
    apply({ entity: 'thread', id: 'thr-1', data: threadFixture({ subject: 'Knee', version: 2 }) });
    expect(mark(['thread'])).toEqual(['thread']);

    apply({ entity: 'message', id: 'msg-2', data: null });
    expect(mark(['message'])).toEqual(['message', 'out-of-reach']);
    // Once per deletion: the next change without one is not marked.
    apply({ entity: 'thread', id: 'thr-1', data: threadFixture({ subject: 'Knee pain', version: 3 }) });
    expect(mark(['thread'])).toEqual(['thread']);

    apply({ entity: 'thread', id: 'thr-1', data: null });
    expect(mark(['thread'])).toEqual(['thread', 'out-of-reach']);
  });

  it('is not marked during a first sync (counters paused for the bulk load) unless a row is really deleted', () => {
    const store = open();
    const apply = (...changes: Change[]) =>
      store.db.transaction(() => {
        for (const c of changes) applyChange(store, c, defaultAuditHandler(store));
      })();
    const mark = removalMarker(store.changes, ReachChanges.of(store.db));
    // Review 10, suspicion 1: while paused, every page of the load used to be marked out of reach.
    store.changes.pause();
    apply(
      { entity: 'patient', id: 'pat-1', data: patientFixture() },
      { entity: 'thread', id: 'thr-1', data: threadFixture() },
      { entity: 'message', id: 'msg-1', data: messageFixture() },
    );
    expect(mark(['patient', 'thread', 'message'])).toEqual(['patient', 'thread', 'message']);
    apply({ entity: 'message', id: 'msg-2', data: messageFixture({ id: 'msg-2', body: 'Second' }) });
    expect(mark(['message'])).toEqual(['message']);
    // A deletion pulled during the load is one.
    apply({ entity: 'message', id: 'msg-2', data: null });
    expect(mark(['message'])).toEqual(['message', 'out-of-reach']);
    expect(mark(['message'])).toEqual(['message']);
    // The end of the load marks nothing of its own.
    store.changes.resume();
    expect(mark(['thread'])).toEqual(['thread']);
    apply({ entity: 'thread', id: 'thr-1', data: null });
    expect(mark(['thread'])).toEqual(['thread', 'out-of-reach']);
  });

  it('is marked "out-of-reach" after a change that may withhold what was shown, and only then', () => {
    const store = open();
    const apply = (...changes: Change[]) =>
      store.db.transaction(() => {
        for (const c of changes) applyChange(store, c, defaultAuditHandler(store));
      })();
    const mark = removalMarker(store.changes, ReachChanges.of(store.db));
    const frontDesk = { topic: 'scheduling' as const, poolId: 'front-desk' };
    const staff = {
      id: 'stf-9',
      username: 'desk9',
      displayName: 'Desk Nine',
      role: 'receptionist' as const,
      providerId: null,
      version: 1,
      active: true,
    };
    apply(
      { entity: 'patient', id: 'pat-1', data: patientFixture() },
      { entity: 'thread', id: 'thr-1', data: threadFixture(frontDesk) },
      { entity: 'thread', id: 'thr-2', data: threadFixture({ id: 'thr-2', ...frontDesk }) },
      { entity: 'message', id: 'msg-1', data: messageFixture() },
      { entity: 'staff', id: 'stf-9', data: staff },
    );
    expect(mark(['patient', 'thread', 'message', 'staff'])).toEqual([
      'patient',
      'thread',
      'message',
      'staff',
    ]);

    // Harmless: what was shown is still the person's to see.
    apply({
      entity: 'message',
      id: 'msg-2',
      data: messageFixture({ id: 'msg-2', body: 'And my other knee' }),
    });
    expect(mark(['message'])).toEqual(['message']);
    apply(
      {
        entity: 'thread',
        id: 'thr-1',
        data: threadFixture({ ...frontDesk, priority: 'urgent', version: 2 }),
      },
      { entity: 'thread', id: 'thr-2', data: threadFixture({ id: 'thr-2', ...frontDesk, status: 'done' }) },
    );
    expect(mark(['thread'])).toEqual(['thread']);
    // The same records pulled again unchanged (an upsert rewrites every column).
    apply(
      {
        entity: 'thread',
        id: 'thr-1',
        data: threadFixture({ ...frontDesk, priority: 'urgent', version: 2 }),
      },
      { entity: 'message', id: 'msg-1', data: messageFixture() },
      { entity: 'staff', id: 'stf-9', data: staff },
      { entity: 'pool', id: 'front-desk', data: { ...DEFAULT_POOLS[3]!, version: 1 } },
    );
    expect(mark(['thread', 'message', 'staff', 'pool'])).toEqual(['thread', 'message', 'staff', 'pool']);
    store.threads.markSeen('thr-1', '2026-11-20T10:00:00.000Z');
    expect(mark(['local'])).toEqual(['local']);

    // A thread moved to a clinical pool (pulled, or this console's own `thread.route`).
    apply({
      entity: 'thread',
      id: 'thr-1',
      data: threadFixture({ topic: 'test-results', poolId: 'results', version: 3 }),
    });
    expect(mark(['thread'])).toEqual(['thread', 'out-of-reach']);
    expect(mark(['local'])).toEqual(['local']);
    store.db.prepare(`UPDATE threads SET pool_id = 'clinical' WHERE id = 'thr-2'`).run();
    expect(mark(['local'])).toEqual(['local', 'out-of-reach']);
    // A thread moved to another patient; a message moved or its text replaced.
    apply({
      entity: 'thread',
      id: 'thr-2',
      data: threadFixture({ id: 'thr-2', patientId: 'pat-2', poolId: 'clinical' }),
    });
    expect(mark(['thread'])).toEqual(['thread', 'out-of-reach']);
    apply({ entity: 'message', id: 'msg-2', data: messageFixture({ id: 'msg-2', body: 'Replaced text' }) });
    expect(mark(['message'])).toEqual(['message', 'out-of-reach']);
    apply({
      entity: 'message',
      id: 'msg-2',
      data: messageFixture({ id: 'msg-2', threadId: 'thr-2', body: 'Replaced text', version: 2 }),
    });
    expect(mark(['message'])).toEqual(['message', 'out-of-reach']);
    // A brand-new thread withheld from its first pull (a patient's new clinical message on a receptionist's PC):
    // none of its messages is here, nothing shown is withdrawn (review 10, R10-1).
    apply({
      entity: 'thread',
      id: 'thr-3',
      data: threadFixture({ id: 'thr-3', topic: 'test-results', poolId: 'results' }),
    });
    store.db.transaction(() => store.threads.markBodiesWithheld('thr-3'))();
    expect(mark(['thread'])).toEqual(['thread']);
    // Bodies newly withheld from this PC's pulls, of a thread whose messages are here.
    store.db.transaction(() => store.threads.markBodiesWithheld('thr-1'))();
    expect(mark(['thread'])).toEqual(['thread', 'out-of-reach']);
    // A pool made clinical; a pool gone.
    apply({ entity: 'pool', id: 'front-desk', data: { ...DEFAULT_POOLS[3]!, kind: 'clinical', version: 2 } });
    expect(mark(['pool'])).toEqual(['pool', 'out-of-reach']);
    apply({
      entity: 'pool',
      id: 'front-desk',
      data: { ...DEFAULT_POOLS[3]!, kind: 'clinical', name: 'Desk', version: 3 },
    });
    expect(mark(['pool'])).toEqual(['pool']);
    apply({ entity: 'pool', id: 'refills', data: { ...DEFAULT_POOLS[1]!, version: 1 } });
    expect(mark(['pool'])).toEqual(['pool']);
    apply({ entity: 'pool', id: 'refills', data: null });
    expect(mark(['pool'])).toEqual(['pool', 'out-of-reach']);
    // A role changed, an account deactivated.
    apply({ entity: 'staff', id: 'stf-9', data: { ...staff, role: 'clinician', version: 2 } });
    expect(mark(['staff'])).toEqual(['staff', 'out-of-reach']);
    apply({ entity: 'staff', id: 'stf-9', data: { ...staff, role: 'clinician', active: false, version: 3 } });
    expect(mark(['staff'])).toEqual(['staff', 'out-of-reach']);
    expect(mark(['staff'])).toEqual(['staff']);
  });
});
