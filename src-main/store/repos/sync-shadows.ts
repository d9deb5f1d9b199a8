import type { Database } from 'better-sqlite3-multiple-ciphers';
import { Change } from '../../../src-shared/sync';

/** Record kinds a console changes locally (outbox entities other than audit). */
export type GuardedEntity = 'appointment' | 'thread';

/**
 * What the server holds of a record with queued local changes (DESIGN.md §5 "never show what the server does
 * not have"). `change` is the server's record as a sync Change (data null: the server has no such record);
 * `known: false` means the console does not know it and must fetch it again.
 */
export type ServerImage = { known: true; change: Change } | { known: false };

interface ShadowRow {
  known: number;
  change: string | null;
}

/** sync_shadows + sync_refetch (migration 4). Rows are written inside the caller's transaction. */
export class SyncShadowsRepo {
  private readonly getStmt;
  private readonly putStmt;
  private readonly putIfAbsentStmt;
  private readonly deleteStmt;
  private readonly refetchAddStmt;
  private readonly refetchListStmt;
  private readonly refetchDeleteStmt;
  private readonly refetchHasStmt;
  constructor(db: Database) {
    this.getStmt = db.prepare<[string, string], ShadowRow>(
      'SELECT known, change FROM sync_shadows WHERE entity = ? AND id = ?',
    );
    this.putStmt = db.prepare(
      `INSERT INTO sync_shadows (entity, id, known, change) VALUES (?, ?, ?, ?)
       ON CONFLICT (entity, id) DO UPDATE SET known = excluded.known, change = excluded.change`,
    );
    this.putIfAbsentStmt = db.prepare(
      'INSERT OR IGNORE INTO sync_shadows (entity, id, known, change) VALUES (?, ?, ?, ?)',
    );
    this.deleteStmt = db.prepare('DELETE FROM sync_shadows WHERE entity = ? AND id = ?');
    this.refetchAddStmt = db.prepare('INSERT OR IGNORE INTO sync_refetch (entity, id) VALUES (?, ?)');
    this.refetchListStmt = db.prepare<[number], { entity: GuardedEntity; id: string }>(
      'SELECT entity, id FROM sync_refetch ORDER BY entity, id LIMIT ?',
    );
    this.refetchDeleteStmt = db.prepare('DELETE FROM sync_refetch WHERE entity = ? AND id = ?');
    this.refetchHasStmt = db.prepare<[string, string], { n: number }>(
      'SELECT count(*) AS n FROM sync_refetch WHERE entity = ? AND id = ?',
    );
  }

  /** The server image kept for a record, or null when none is kept (no queued change since migration 4). */
  get(entity: GuardedEntity, id: string): ServerImage | null {
    const row = this.getStmt.get(entity, id);
    if (!row) return null;
    if (row.known === 0 || row.change === null) return { known: false };
    // Our own write, but validated anyway: a damaged row must mean "fetch again", never a wrong record shown.
    const parsed = Change.safeParse(JSON.parse(row.change));
    return parsed.success && parsed.data.entity === entity && parsed.data.id === id
      ? { known: true, change: parsed.data }
      : { known: false };
  }

  /** Keep `image` unless an image is already kept (the first local change's "before" wins). */
  keepFirst(entity: GuardedEntity, id: string, image: ServerImage): void {
    this.putIfAbsentStmt.run(
      entity,
      id,
      image.known ? 1 : 0,
      image.known ? JSON.stringify(image.change) : null,
    );
  }

  /** A newer server record learned while local changes wait (a skipped pull change, a push answer's current). */
  put(change: Change & { entity: GuardedEntity }): void {
    this.putStmt.run(change.entity, change.id, 1, JSON.stringify(change));
  }

  delete(entity: GuardedEntity, id: string): void {
    this.deleteStmt.run(entity, id);
  }

  /** Fetch this record again from the server at the next sync (its server image is unknown). */
  queueRefetch(entity: GuardedEntity, id: string): void {
    this.refetchAddStmt.run(entity, id);
  }

  refetchQueued(limit: number): { entity: GuardedEntity; id: string }[] {
    return this.refetchListStmt.all(limit);
  }

  isRefetchQueued(entity: GuardedEntity, id: string): boolean {
    return this.refetchHasStmt.get(entity, id)!.n > 0;
  }

  refetchDone(entity: GuardedEntity, id: string): void {
    this.refetchDeleteStmt.run(entity, id);
  }
}
