/**
 * Incremental start-up verification (issue 12): a start verifies only the events recorded since the last
 * verified checkpoint, still catches tampering after it, and falls back to a full walk when the checkpoint
 * no longer matches its event. Real SQLCipher store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src-shared/domain';
import { pruneAuditOfAbsentRecords, verifyAuditIncrementally } from './checkpoint';
import { type TestStore, openTestStore } from './test-store';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

function recordMany(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = 0; i < n; i++) {
    t.clock.advance(1000);
    out.push(
      t.audit.record(
        { staffId: 'stf-1', role: 'receptionist' },
        { action: 'read', entityType: 'appointment', entityId: `apt-${i % 4}`, outcome: 'success' },
      ),
    );
  }
  return out;
}

describe('incremental audit verification at start-up', () => {
  it('the first start walks everything; later starts hash only what was added', () => {
    recordMany(300);
    expect(verifyAuditIncrementally(t.store, t.audit)).toEqual({
      result: { ok: true, count: 300 },
      checked: 300,
      mode: 'full',
    });
    t.reopen();
    expect(verifyAuditIncrementally(t.store, t.audit)).toEqual({
      result: { ok: true, count: 300 },
      checked: 0,
      mode: 'checkpoint',
    });
    recordMany(7);
    t.reopen();
    expect(verifyAuditIncrementally(t.store, t.audit)).toEqual({
      result: { ok: true, count: 307 },
      checked: 7,
      mode: 'checkpoint',
    });
  });

  it('an empty log and then a first event', () => {
    expect(verifyAuditIncrementally(t.store, t.audit).result).toEqual({ ok: true, count: 0 });
    recordMany(1);
    expect(verifyAuditIncrementally(t.store, t.audit)).toMatchObject({ checked: 1, mode: 'checkpoint' });
  });

  it('tampering after the checkpoint is named like the full walk names it, and the checkpoint stays', () => {
    recordMany(50);
    verifyAuditIncrementally(t.store, t.audit);
    const added = recordMany(10);
    const db = t.raw();
    db.exec('DROP TRIGGER audit_events_no_update;');
    db.prepare(`UPDATE audit_events SET outcome = 'failure' WHERE id = ?`).run(added[4]!.id);
    const first = verifyAuditIncrementally(t.store, t.audit);
    expect(first.result).toEqual({
      ok: false,
      count: 60,
      firstBadEventId: added[4]!.id,
      reason: 'hash-mismatch',
    });
    // Not moved past the fault: the next start reports it again.
    expect(verifyAuditIncrementally(t.store, t.audit).result).toMatchObject({ ok: false });
  });

  it('a checkpoint whose event no longer carries its hash falls back to the full walk', () => {
    const events = recordMany(30);
    verifyAuditIncrementally(t.store, t.audit);
    const db = t.raw();
    db.exec('DROP TRIGGER audit_events_no_update;');
    db.prepare(`UPDATE audit_events SET hash = ? WHERE id = ?`).run('f'.repeat(64), events[29]!.id);
    const again = verifyAuditIncrementally(t.store, t.audit);
    expect(again.mode).toBe('full');
    expect(again.result).toMatchObject({ ok: false, firstBadEventId: events[29]!.id });
  });

  it('prunes synced events of records not in the store behind the checkpoint; the chain still verifies', () => {
    const events = recordMany(40); // about apt-0..apt-3, none of which is in the store
    // Unsynced events stay.
    expect(pruneAuditOfAbsentRecords(t.store)).toBe(0);
    // Pushed (the push pointer moved past them, store/repos/audit-push.ts): pruned, each leaving a link-only
    // tombstone. Only up to the pointer: the last ten are still waiting to be pushed.
    const seqs = t.store.auditPush.peek(100).map((e) => e.seq);
    expect(seqs).toHaveLength(40);
    t.store.transaction(() => t.store.auditPush.settledThrough(seqs[29]!));
    expect(pruneAuditOfAbsentRecords(t.store)).toBe(30);
    expect(t.store.audit.count()).toBe(10);
    t.store.transaction(() => t.store.auditPush.settledThrough(seqs[39]!));
    // All but the newest, which the next event links to.
    expect(pruneAuditOfAbsentRecords(t.store)).toBe(9);
    expect(t.store.audit.count()).toBe(1);
    recordMany(5);
    expect(t.audit.verify()).toEqual({ ok: true, count: 45 });
    t.reopen();
    expect(verifyAuditIncrementally(t.store, t.audit)).toEqual({
      result: { ok: true, count: 45 },
      checked: 5,
      mode: 'checkpoint',
    });
    // A tombstone's link is still checked by the full walk.
    t.raw().prepare('UPDATE audit_pruned SET prev_hash = ? WHERE seq = 20').run('e'.repeat(64));
    expect(t.audit.verify()).toMatchObject({ ok: false, reason: 'link-mismatch' });
    expect(events).toHaveLength(40);
  });
});
