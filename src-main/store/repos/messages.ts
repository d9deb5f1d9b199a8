import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { AttachmentRecord, MessageRecord } from '../../../src-shared/domain';

export interface MessageRow {
  id: string;
  thread_id: string;
  author_kind: 'patient' | 'staff';
  author_id: string;
  body: string;
  sent_at: string;
  version: number;
}
export interface AttachmentMetaRow {
  id: string;
  message_id: string;
  file_name: string;
  mime_type: string;
  size: number;
}
/** A message with one of its attachments (att_* null when it has none): MessagesRepo.forThreadWithAttachments. */
export interface MessageAttachmentRow extends MessageRow {
  att_id: string | null;
  att_file_name: string | null;
  att_mime_type: string | null;
  att_size: number | null;
}
export interface AttachmentRow extends AttachmentMetaRow {
  content: Buffer;
}

/**
 * A pulled message's upsert (named parameters: MessageRecord's keys); also run per page over JSON rows
 * (sync/pull-rows.ts). Updates only when the body or version changed, so FTS is not rewritten for an identical re-pull.
 */
export const MESSAGE_UPSERT_SQL = `INSERT INTO messages (id, thread_id, author_kind, author_id, body, sent_at, version)
   VALUES (@id, @threadId, @authorKind, @authorId, @body, @sentAt, @version)
   ON CONFLICT (id) DO UPDATE SET thread_id = excluded.thread_id, author_kind = excluded.author_kind,
     author_id = excluded.author_id, body = excluded.body, sent_at = excluded.sent_at, version = excluded.version
   WHERE messages.version != excluded.version OR messages.body != excluded.body`;

export class MessagesRepo {
  private readonly upsertStmt;
  private readonly byThreadStmt;
  private readonly upsertAttachmentStmt;
  private readonly attachmentsOfThreadStmt;
  private readonly attachmentStmt;
  private readonly existsStmt;
  private readonly deleteStmt;
  private readonly deleteAttachmentStmt;
  private readonly attachmentOwnerStmt;
  private readonly withAttachmentsStmt;
  constructor(db: Database) {
    // Update only when the body or version changed, so FTS is not rewritten for an identical re-pull.
    this.upsertStmt = db.prepare(MESSAGE_UPSERT_SQL);
    this.byThreadStmt = db.prepare<[string], MessageRow>(
      'SELECT * FROM messages WHERE thread_id = ? ORDER BY sent_at, id',
    );
    this.upsertAttachmentStmt = db.prepare(
      `INSERT INTO attachments (id, message_id, file_name, mime_type, size, content, version)
       VALUES (@id, @messageId, @fileName, @mimeType, @size, @content, @version)
       ON CONFLICT (id) DO UPDATE SET message_id = excluded.message_id, file_name = excluded.file_name,
         mime_type = excluded.mime_type, size = excluded.size, content = excluded.content, version = excluded.version`,
    );
    this.attachmentsOfThreadStmt = db.prepare<[string], AttachmentMetaRow>(
      `SELECT a.id, a.message_id, a.file_name, a.mime_type, a.size FROM attachments a
       JOIN messages m ON m.id = a.message_id WHERE m.thread_id = ? ORDER BY a.file_name`,
    );
    this.withAttachmentsStmt = db.prepare<[string], MessageAttachmentRow>(
      `SELECT m.*, a.id AS att_id, a.file_name AS att_file_name, a.mime_type AS att_mime_type, a.size AS att_size
       FROM messages m LEFT JOIN attachments a ON a.message_id = m.id
       WHERE m.thread_id = ? ORDER BY m.sent_at, m.id, a.file_name`,
    );
    this.attachmentStmt = db.prepare<[string], AttachmentRow>('SELECT * FROM attachments WHERE id = ?');
    this.existsStmt = db.prepare<[string], { id: string }>('SELECT id FROM messages WHERE id = ?');
    this.deleteStmt = db.prepare('DELETE FROM messages WHERE id = ?');
    this.deleteAttachmentStmt = db.prepare('DELETE FROM attachments WHERE id = ?');
    this.attachmentOwnerStmt = db.prepare<[string], { threadId: string; patientId: string }>(
      `SELECT t.id AS threadId, t.patient_id AS patientId FROM attachments a
       JOIN messages m ON m.id = a.message_id JOIN threads t ON t.id = m.thread_id WHERE a.id = ?`,
    );
  }
  /** The thread and patient an attachment belongs to (for its audit trail), or null when not on this PC. */
  attachmentOwner(attachmentId: string): { threadId: string; patientId: string } | null {
    return this.attachmentOwnerStmt.get(attachmentId) ?? null;
  }
  /** Calls of upsert so far on this connection (a bulk load checks that it saw every message written: bulk-load.ts). */
  writes = 0;
  upsert(record: MessageRecord): void {
    this.writes++;
    this.upsertStmt.run(record);
  }
  exists(id: string): boolean {
    return this.existsStmt.get(id) !== undefined;
  }
  forThread(threadId: string): MessageRow[] {
    return this.byThreadStmt.all(threadId);
  }
  upsertAttachment(record: AttachmentRecord): void {
    const { contentBase64, ...rest } = record;
    this.upsertAttachmentStmt.run({ ...rest, content: Buffer.from(contentBase64, 'base64') });
  }
  /**
   * A thread's messages in order (sent_at, id), each with its attachments' metadata (by file name), in one
   * statement (session 10: thread.get read messages and attachments with two). Each message comes first with its
   * attachments in `attachments` (empty when it has none).
   */
  forThreadWithAttachments(threadId: string): Array<MessageRow & { attachments: AttachmentMetaRow[] }> {
    const out: Array<MessageRow & { attachments: AttachmentMetaRow[] }> = [];
    let last: (MessageRow & { attachments: AttachmentMetaRow[] }) | undefined;
    for (const r of this.withAttachmentsStmt.all(threadId)) {
      if (last === undefined || last.id !== r.id) {
        last = {
          id: r.id,
          thread_id: r.thread_id,
          author_kind: r.author_kind,
          author_id: r.author_id,
          body: r.body,
          sent_at: r.sent_at,
          version: r.version,
          attachments: [],
        };
        out.push(last);
      }
      if (r.att_id !== null)
        last.attachments.push({
          id: r.att_id,
          message_id: r.id,
          file_name: r.att_file_name!,
          mime_type: r.att_mime_type!,
          size: r.att_size!,
        });
    }
    return out;
  }
  attachmentsOfThread(threadId: string): AttachmentMetaRow[] {
    return this.attachmentsOfThreadStmt.all(threadId);
  }
  attachment(id: string): AttachmentRow | null {
    return this.attachmentStmt.get(id) ?? null;
  }
  /** Remove a message (server delete, or an optimistic send the server refused); FTS follows by trigger. */
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
  /** Remove an attachment the server deleted (sync). */
  deleteAttachment(id: string): void {
    this.deleteAttachmentStmt.run(id);
  }
}
