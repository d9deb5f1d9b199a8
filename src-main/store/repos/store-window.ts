import type { Database } from 'better-sqlite3-multiple-ciphers';

/** Instants (ISO, UTC) bounding what the store keeps; see src-main/sync/store-window.ts. */
export interface WindowBounds {
  /** Closed threads whose last message is older than this are evicted. */
  closedBefore: string;
  /** Appointments starting before this… */
  scheduleFrom: string;
  /** …or at/after this are evicted. */
  scheduleTo: string;
}

/**
 * Deletes for the store window (DESIGN.md §4). Records with queued local changes or a kept server image are
 * never evicted (sync still needs them). Call inside a transaction with `secure_delete` on.
 */
export class StoreWindowRepo {
  private readonly threadsStmt;
  private readonly attachmentsStmt;
  private readonly messagesStmt;
  private readonly deleteThreadsStmt;
  private readonly appointmentsStmt;
  private readonly clearStmt;
  constructor(db: Database) {
    const guarded = (col: string) =>
      `${col} NOT IN (SELECT entity_id FROM outbox WHERE entity != 'audit')
       AND ${col} NOT IN (SELECT id FROM sync_shadows) AND ${col} NOT IN (SELECT id FROM sync_refetch)`;
    db.exec('CREATE TEMP TABLE IF NOT EXISTS evict_threads (id TEXT PRIMARY KEY)');
    this.threadsStmt = db.prepare<WindowBounds>(
      `INSERT OR IGNORE INTO temp.evict_threads (id)
       SELECT id FROM threads WHERE status = 'done' AND last_message_at < @closedBefore AND ${guarded('id')}`,
    );
    this.attachmentsStmt = db.prepare(
      `DELETE FROM attachments WHERE message_id IN
         (SELECT m.id FROM messages m JOIN temp.evict_threads e ON e.id = m.thread_id)`,
    );
    this.messagesStmt = db.prepare(
      'DELETE FROM messages WHERE thread_id IN (SELECT id FROM temp.evict_threads)',
    );
    this.deleteThreadsStmt = db.prepare(
      'DELETE FROM threads WHERE id IN (SELECT id FROM temp.evict_threads)',
    );
    this.appointmentsStmt = db.prepare<WindowBounds>(
      `DELETE FROM appointments WHERE (start < @scheduleFrom OR start >= @scheduleTo) AND ${guarded('id')}`,
    );
    this.clearStmt = db.prepare('DELETE FROM temp.evict_threads');
  }

  /** Delete what lies outside the window; the search index is left dirty for the caller to refresh. */
  evict(bounds: WindowBounds): { threads: number; messages: number; appointments: number } {
    this.clearStmt.run();
    this.threadsStmt.run(bounds);
    this.attachmentsStmt.run();
    const messages = this.messagesStmt.run().changes;
    const threads = this.deleteThreadsStmt.run().changes;
    const appointments = this.appointmentsStmt.run(bounds).changes;
    this.clearStmt.run();
    return { threads, messages, appointments };
  }
}
