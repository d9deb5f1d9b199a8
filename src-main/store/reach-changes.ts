import type { Database } from 'better-sqlite3-multiple-ciphers';

/**
 * Session 9, s9sec (review 9, suspicion 5): the writes that may take out of the signed-in person's reach something a
 * list or a pane already showed, other than a deletion (deletions are counted by store/table-changes.ts):
 * - a thread moved to another pool (DESIGN §6: receptionists see only topic and subject of clinical threads) or to
 *   another patient;
 * - a message moved to another thread, or its text replaced;
 * - a thread's bodies newly withheld from this PC's pulls (`withheld_threads`, migration 011) while some of its
 *   messages are on this PC (review 10, R10-1: a brand-new thread withheld from its first pull, e.g. a patient's new
 *   clinical message on a receptionist's PC, has none here, since the server leaves a withheld thread's messages out
 *   of the pull (server/sync/pull.ts): nothing shown can be withdrawn, so it counts nothing);
 * - a pool's kind changed (an administrative pool made clinical);
 * - a staff member's role or active flag changed (a role changed on the backend applies from the next call).
 * Each is one temporary trigger (this connection's schema only; nothing is written to the store file) whose WHEN
 * clause lets only a real change through, so an upsert that rewrites a row unchanged, a new message or a change of
 * priority, status or assignee counts nothing. Deliberately wider than the rules of today (any pool move counts,
 * not only one into a pool the role may not read): a search read again costs a few ms, a snippet shown to a role
 * that may no longer read it is a disclosure.
 */
const NARROWING_TRIGGERS: Record<string, string> = {
  threads: `AFTER UPDATE OF pool_id, patient_id ON main.threads
    WHEN old.pool_id IS NOT new.pool_id OR old.patient_id IS NOT new.patient_id`,
  messages: `AFTER UPDATE OF thread_id, body ON main.messages
    WHEN old.thread_id IS NOT new.thread_id OR old.body IS NOT new.body`,
  withheld: `AFTER INSERT ON main.withheld_threads
    WHEN EXISTS (SELECT 1 FROM main.messages WHERE thread_id = new.thread_id)`,
  pools: `AFTER UPDATE OF kind ON main.pools WHEN old.kind IS NOT new.kind`,
  pools_gone: `AFTER DELETE ON main.pools`,
  staff: `AFTER UPDATE OF role, active ON main.staff WHEN old.role IS NOT new.role OR old.active IS NOT new.active`,
  staff_gone: `AFTER DELETE ON main.staff`,
};

const perConnection = new WeakMap<Database, ReachChanges>();

/**
 * A counter of the store writes that may withhold from the person something shown before (see NARROWING_TRIGGERS),
 * on this connection, whoever made them (a local change such as `thread.route`, a pulled change). Read it before
 * and after: a different number means such a write happened in between. Cost: nothing for a write the WHEN clauses
 * leave out (all inserts but `withheld_threads`), one JS call for one they let through.
 */
export class ReachChanges {
  private count = 0;

  /** The one instance per connection (its triggers are the connection's). Call after the migrations ran. */
  static of(db: Database): ReachChanges {
    let reach = perConnection.get(db);
    if (!reach) perConnection.set(db, (reach = new ReachChanges(db)));
    return reach;
  }

  private constructor(db: Database) {
    db.function('clinic_reach_narrowed', { deterministic: false, directOnly: false }, () => {
      this.count++;
      return null;
    });
    for (const [name, when] of Object.entries(NARROWING_TRIGGERS))
      db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS clinic_reach_${name} ${when}
               BEGIN SELECT clinic_reach_narrowed(); END`);
  }

  /** A number that changes after each write that may withhold something shown before. */
  version(): number {
    return this.count;
  }
}
