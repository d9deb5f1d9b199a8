/**
 * The chain head the audit log keeps in memory (session 10, issue 16 §3): an append chains from it instead of
 * reading the log's last hash, and the chain stays exactly what it would be without it when the events are
 * rolled back with a caller's transaction, when another AuditLog on the same connection appends, when another
 * connection to the same file appends, and after a reopen; an event replaced below the API shows as a gap. Every case ends with a full verify() of the chain and
 * each new event's prevHash compared with the hash of the event before it in the log.
 */
import { describe, expect, it, vi } from 'vitest';
import { AuditLog } from './audit-log';
import { READER, read } from './test-events';
import { DEVICE_ID, expectChainLinked, useTestStore } from './test-store';
import { Store } from '../store/store';

const t = useTestStore();

/** Each event's prevHash is the hash of the event before it in seq order, and the chain verifies. */
const expectLinked = (): void => expectChainLinked(t, true);

describe('the chain head in memory', () => {
  it('is used: a second append does not read the last hash from the log', () => {
    t.audit.record(READER, read('thread', 'thr-1'));
    const lastHash = vi.spyOn(t.store.audit, 'lastHash');
    t.audit.record(READER, read('thread', 'thr-2'));
    t.audit.recordMany(READER, [read('thread', 'thr-3'), read('patient', 'pat-3')]);
    expect(lastHash).not.toHaveBeenCalled();
    expectLinked();
  });

  it("is not kept from events a caller's transaction rolled back", () => {
    t.audit.record(READER, read('thread', 'thr-1'));
    expect(() =>
      t.store.transaction(() => {
        t.audit.recordMany(READER, [read('thread', 'thr-2'), read('patient', 'pat-2')]);
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    t.audit.record(READER, read('thread', 'thr-3'));
    // Committed nested, then appended again outside.
    t.store.transaction(() => t.audit.record(READER, read('thread', 'thr-4')));
    t.audit.record(READER, read('thread', 'thr-5'));
    // Rolled back, and the same seq then taken by another log's event: the seq alone cannot tell.
    expect(() =>
      t.store.transaction(() => {
        t.audit.record(READER, read('thread', 'thr-6'));
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    new AuditLog(t.store, t.clock, () => DEVICE_ID).record(READER, read('thread', 'thr-7'));
    t.audit.record(READER, read('thread', 'thr-8'));
    expect(t.store.audit.count()).toBe(6);
    expectLinked();
  });

  it('is not trusted after another AuditLog on the same connection appended (and the chain continues)', () => {
    const other = new AuditLog(t.store, t.clock, () => DEVICE_ID);
    t.audit.record(READER, read('thread', 'thr-1'));
    other.record(READER, read('thread', 'thr-2'));
    t.audit.record(READER, read('thread', 'thr-3'));
    other.recordMany(READER, [read('thread', 'thr-4'), read('patient', 'pat-4')]);
    t.store.transaction(() =>
      t.audit.recordMany(READER, [read('thread', 'thr-5'), read('patient', 'pat-5')]),
    );
    t.audit.record(READER, read('thread', 'thr-6'));
    expect(t.store.audit.count()).toBe(8);
    expectLinked();
  });

  it('is not trusted after another connection to the same file appended', () => {
    t.audit.record(READER, read('thread', 'thr-1'));
    const elsewhere = new AuditLog(new Store(t.raw(), ':other'), t.clock, () => DEVICE_ID);
    elsewhere.record(READER, read('thread', 'thr-2'));
    t.audit.record(READER, read('thread', 'thr-3'));
    elsewhere.recordMany(READER, [read('thread', 'thr-4'), read('patient', 'pat-4')]);
    t.audit.record(READER, read('thread', 'thr-5'));
    expect(t.store.audit.count()).toBe(6);
    expectLinked();
  });

  it('links to the event it committed when that event was replaced below the API: verify() names the gap', () => {
    t.audit.record(READER, read('thread', 'thr-1'));
    const last = t.audit.record(READER, read('thread', 'thr-2'));
    // Another connection drops the trigger, deletes the newest event and appends one of its own in its place.
    const conn = t.raw();
    conn.exec('DROP TRIGGER audit_events_no_delete');
    conn.prepare('DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)').run();
    new AuditLog(new Store(conn, ':other'), t.clock, () => DEVICE_ID).record(READER, read('thread', 'thr-x'));
    const next = t.audit.record(READER, read('thread', 'thr-3'));
    expect(next.prevHash).toBe(last.hash);
    expect(t.audit.verify()).toMatchObject({ ok: false, firstBadEventId: next.id, reason: 'link-mismatch' });
  });

  it('starts from the log after a reopen', () => {
    t.audit.record(READER, read('thread', 'thr-1'));
    t.reopen();
    t.audit.record(READER, read('thread', 'thr-2'));
    const conn = t.raw();
    new AuditLog(new Store(conn, ':other'), t.clock, () => DEVICE_ID).record(READER, read('thread', 'thr-3'));
    t.reopen();
    t.audit.record(READER, read('thread', 'thr-4'));
    expectLinked();
  });
});
