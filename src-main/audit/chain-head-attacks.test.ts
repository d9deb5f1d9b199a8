/**
 * Review of session 10 (helper "review"): attacks on the audit chain head kept in memory (src-main/audit/audit-log.ts,
 * 4ef353a). Each case makes the head the log keeps differ from the log's real last event (a rollback the log did
 * not see, an append that fails at the SQLite level, a prune, a re-entrant append, a second writer) and then checks
 * that every new event links to the event before it in the log and that verify() passes. Real SQLCipher store.
 */
import { describe, expect, it } from 'vitest';
import { pruneAuditOfAbsentRecords } from './checkpoint';
import { READER, read } from './test-events';
import { expectChainLinked, useTestStore } from './test-store';
import { AUDIT_PUSHED_SEQ_KEY } from '../store/migrations/007-audit-push-from-log';

const t = useTestStore();

/** Each event's prevHash is the hash of the event before it in seq order, and the chain verifies. */
const expectLinked = (): void => expectChainLinked(t);

const many = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => read('thread', `${prefix}-${i}`));

describe('review s10: the chain head in memory under attack', () => {
  it('survives a hand-written SAVEPOINT rolled back around a nested append (passes)', () => {
    const db = t.store.db;
    t.audit.record(READER, read('thread', 'thr-1'));
    db.exec('SAVEPOINT caller');
    t.audit.recordMany(READER, [read('thread', 'thr-2'), read('patient', 'pat-2')]);
    db.exec('ROLLBACK TO caller');
    db.exec('RELEASE caller');
    t.audit.record(READER, read('thread', 'thr-3'));
    // BEGIN by hand, an append, then an error after it and a ROLLBACK.
    db.exec('BEGIN');
    t.audit.record(READER, read('thread', 'thr-4'));
    db.exec('ROLLBACK');
    t.audit.record(READER, read('thread', 'thr-5'));
    expect(t.store.audit.count()).toBe(3);
    expectLinked();
  });

  it('is not advanced by a batch refused at the SQLite level on its last event (passes)', () => {
    t.audit.record(READER, read('thread', 'thr-1'));
    // The third event of the batch is refused (a constraint): the batch is all or nothing.
    t.store.db.exec(`CREATE TEMP TRIGGER refuse_third BEFORE INSERT ON main.audit_events
      WHEN new.entity_id = 'thr-b-2' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    expect(() => t.audit.recordMany(READER, many(3, 'thr-b'))).toThrow('refused');
    t.store.db.exec('DROP TRIGGER temp.refuse_third');
    t.audit.record(READER, read('thread', 'thr-2'));
    expect(t.store.audit.count()).toBe(2);
    expectLinked();
  });

  it('is not advanced by an append that fails with SQLITE_FULL mid-batch (passes)', () => {
    const db = t.store.db;
    t.audit.record(READER, read('thread', 'thr-1'));
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    let full: unknown = null;
    try {
      for (let i = 0; i < 200 && full === null; i++) {
        try {
          t.audit.recordMany(READER, many(40, `thr-f${i}`));
        } catch (error) {
          full = error;
        }
      }
    } finally {
      db.pragma('max_page_count = 1073741823');
    }
    expect((full as { code?: string } | null)?.code).toBe('SQLITE_FULL');
    t.audit.record(READER, read('thread', 'thr-after'));
    t.audit.recordMany(READER, [read('thread', 'thr-x'), read('patient', 'pat-x')]);
    expectLinked();
  });

  it("is not taken from a caller's transaction that SQLITE_FULL rolled back, the caller carrying on (passes)", () => {
    const db = t.store.db;
    t.audit.record(READER, read('thread', 'thr-1'));
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 1}`);
    try {
      try {
        t.store.transaction(() => {
          t.audit.record(READER, read('thread', 'thr-in-caller'));
          for (let i = 0; i < 200; i++) {
            try {
              t.audit.recordMany(READER, many(40, `thr-g${i}`));
            } catch {
              break;
            }
          }
          // The caller carries on after the failure (SQLite may have rolled the whole transaction back).
          db.pragma('max_page_count = 1073741823');
          t.audit.record(READER, read('thread', 'thr-after-full'));
        });
      } catch {
        // The caller's commit may fail: its transaction is gone.
      }
    } finally {
      db.pragma('max_page_count = 1073741823');
    }
    t.audit.record(READER, read('thread', 'thr-2'));
    t.audit.record(READER, read('thread', 'thr-3'));
    expectLinked();
  });

  it('links correctly after the checkpoint code pruned events behind it (passes)', () => {
    for (let i = 0; i < 5; i++) t.audit.record(READER, read('thread', `gone-${i}`));
    const max = t.store.db.prepare('SELECT max(seq) FROM audit_events').pluck().get() as number;
    t.store.db
      .prepare(
        `INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      )
      .run(AUDIT_PUSHED_SEQ_KEY, String(max));
    t.store.db.pragma('secure_delete = ON');
    expect(pruneAuditOfAbsentRecords(t.store)).toBe(4);
    t.audit.record(READER, read('thread', 'thr-after-prune'));
    t.audit.record(READER, read('thread', 'thr-after-prune-2'));
    expect(t.audit.verify()).toMatchObject({ ok: true, count: 7 });
  });
});
