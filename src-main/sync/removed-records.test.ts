/**
 * Review 8, suspicion 1 (session 8, sec8): the `data.changed` event says when a change removed patients, threads
 * or messages from the store (a deletion pulled, an eviction), so the renderer drops the lists it keeps rather
 * than show them stale. Changes applied as a pull applies them (applyChange), on a real encrypted store;
 * expectations written by hand.
 */
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change } from '../../src-shared/sync';
import { messageFixture, patientFixture, threadFixture } from '../../tests/helpers/fixtures';
import { tempDir } from '../../tests/helpers/tmp';
import { openDatabase } from '../store/open';
import { Store } from '../store/store';
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
    const mark = removalMarker(store.changes);

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
    expect(mark(['message'])).toEqual(['message', 'removed']);
    // Once per deletion: the next change without one is not marked.
    apply({ entity: 'thread', id: 'thr-1', data: threadFixture({ subject: 'Knee pain', version: 3 }) });
    expect(mark(['thread'])).toEqual(['thread']);

    apply({ entity: 'thread', id: 'thr-1', data: null });
    expect(mark(['thread'])).toEqual(['thread', 'removed']);
  });
});
