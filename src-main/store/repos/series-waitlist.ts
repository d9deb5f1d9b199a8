import type { Database } from 'better-sqlite3-multiple-ciphers';
import { SeriesRecord, WaitlistRecord } from '../../../src-shared/domain';

/** Parse our own JSON row through its schema: a damaged row reads as absent, never as a wrong record. */
function parsed<T>(
  schema: { safeParse: (v: unknown) => { success: boolean; data?: T } },
  text: string,
): T | null {
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? (r.data as T) : null;
  } catch {
    return null;
  }
}

/** issue 13 §4: recurring series as the server last sent them (or as written optimistically, version 0). */
export class SeriesRepo {
  private readonly upsertStmt;
  private readonly byIdStmt;
  private readonly deleteStmt;
  constructor(db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO appointment_series (id, data, version) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET data = excluded.data, version = excluded.version`,
    );
    this.byIdStmt = db.prepare<[string], { data: string }>(
      'SELECT data FROM appointment_series WHERE id = ?',
    );
    this.deleteStmt = db.prepare('DELETE FROM appointment_series WHERE id = ?');
  }
  upsert(r: SeriesRecord): void {
    this.upsertStmt.run(r.id, JSON.stringify(r), r.version);
  }
  byId(id: string): SeriesRecord | null {
    const row = this.byIdStmt.get(id);
    return row ? parsed<SeriesRecord>(SeriesRecord, row.data) : null;
  }
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
}

/** issue 13 §5: the clinic's waitlist as the server last sent it (or as written optimistically, version 0). */
export class WaitlistRepo {
  private readonly upsertStmt;
  private readonly byIdStmt;
  private readonly waitingStmt;
  private readonly deleteStmt;
  constructor(db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO waitlist_entries (id, status, data, version) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, data = excluded.data, version = excluded.version`,
    );
    this.byIdStmt = db.prepare<[string], { data: string }>('SELECT data FROM waitlist_entries WHERE id = ?');
    this.waitingStmt = db.prepare<[], { data: string }>(
      "SELECT data FROM waitlist_entries WHERE status = 'waiting' ORDER BY id",
    );
    this.deleteStmt = db.prepare('DELETE FROM waitlist_entries WHERE id = ?');
  }
  upsert(r: WaitlistRecord): void {
    this.upsertStmt.run(r.id, r.status, JSON.stringify(r), r.version);
  }
  byId(id: string): WaitlistRecord | null {
    const row = this.byIdStmt.get(id);
    return row ? parsed<WaitlistRecord>(WaitlistRecord, row.data) : null;
  }
  /** Entries still waiting, oldest first (ids are UUIDv7: time-ordered). */
  waiting(): WaitlistRecord[] {
    return this.waitingStmt.all().flatMap((r) => parsed<WaitlistRecord>(WaitlistRecord, r.data) ?? []);
  }
  delete(id: string): void {
    this.deleteStmt.run(id);
  }
}
