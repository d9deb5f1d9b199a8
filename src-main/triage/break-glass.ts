/**
 * Emergency access ("break-glass", issue 14a; HIPAA 45 CFR 164.312(a)(2)(ii) emergency access procedure, ONC
 * 170.315(d)(6)): a staff member states a mandatory reason and gets, for a limited clinic-set time, the reads
 * their role or pool does not allow on ONE record. Every read under a grant is audited with
 * purposeOfEvent 'BTG' (src-main/triage/access.ts, the router), and the server alerts admins.
 */
import { BREAK_GLASS_DEFAULT_MINUTES } from '../../src-shared/triage';
import type { Clock } from '../base/adapters';
import { uuidv7 } from '../base/ids';
import type { Store } from '../store/store';

export interface BreakGlassGrant {
  id: string;
  staffId: string;
  entityType: 'thread' | 'patient';
  entityId: string;
  reason: string;
  /** UTC ISO instants. */
  openedAt: string;
  expiresAt: string;
}

export class BreakGlass {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Minutes a grant lasts (clinic setting; default 60). */
    private readonly minutes: () => number = () => BREAK_GLASS_DEFAULT_MINUTES,
    /** Told of each grant opened (GrantWatch: a grant that ends before the next check is reported too). */
    private readonly onOpen: (grant: BreakGlassGrant) => void = () => undefined,
  ) {}

  private now(): number {
    return this.clock.now();
  }

  private nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Opens a grant for `minutes()` from now; the reason is stored on this PC and never logged. */
  open(staffId: string, entityType: 'thread' | 'patient', entityId: string, reason: string): BreakGlassGrant {
    const now = this.now();
    const grant: BreakGlassGrant = {
      id: uuidv7(now),
      staffId,
      entityType,
      entityId,
      reason,
      openedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.minutes() * 60_000).toISOString(),
    };
    this.store.db
      .prepare(
        `INSERT INTO break_glass (id, staff_id, entity_type, entity_id, reason, opened_at, expires_at)
         VALUES (@id, @staffId, @entityType, @entityId, @reason, @openedAt, @expiresAt)`,
      )
      .run(grant);
    this.onOpen(grant);
    return grant;
  }

  /**
   * Shortens a grant to the clinic's current time (session 4, 14c): a PC that opened it with a stale, longer
   * setting follows the server, which never keeps a grant longer than the clinic's time. Returns the grant's end.
   */
  clampToClinicTime(grantId: string): string | null {
    const row = this.store.db
      .prepare<[string], { opened_at: string; expires_at: string }>(
        'SELECT opened_at, expires_at FROM break_glass WHERE id = ?',
      )
      .get(grantId);
    if (!row) return null;
    const limit = new Date(Date.parse(row.opened_at) + this.minutes() * 60_000).toISOString();
    if (limit >= row.expires_at) return row.expires_at;
    this.store.db.prepare('UPDATE break_glass SET expires_at = ? WHERE id = ?').run(limit, grantId);
    return limit;
  }

  /** True while the staff member holds an unexpired grant on the record (checked against the clock per call). */
  has(staffId: string, entityType: 'thread' | 'patient', entityId: string): boolean {
    const now = this.nowIso();
    // A grant seen ended is closed for good: its window collapses (opened_at = expires_at), so a PC clock set
    // back later (a person, an NTP step) cannot make it valid again (review 4), and a clock that once read far
    // ahead only ends grants early, never keeps later ones open (review 5: a high-water clock did). Fails closed.
    this.store.db
      .prepare(
        `UPDATE break_glass SET opened_at = expires_at WHERE staff_id = ? AND entity_type = ? AND entity_id = ?
           AND expires_at <= ? AND opened_at < expires_at`,
      )
      .run(staffId, entityType, entityId, now);
    return (
      this.store.db
        .prepare(
          `SELECT 1 FROM break_glass WHERE staff_id = ? AND entity_type = ? AND entity_id = ? AND opened_at <= ?
             AND expires_at > ? LIMIT 1`,
        )
        .get(staffId, entityType, entityId, now, now) !== undefined
    );
  }

  /** The staff member's unexpired grants, soonest expiry first. */
  active(staffId: string): BreakGlassGrant[] {
    return this.store.db
      .prepare(
        `SELECT id, staff_id AS staffId, entity_type AS entityType, entity_id AS entityId, reason,
           opened_at AS openedAt, expires_at AS expiresAt
         FROM break_glass WHERE staff_id = ? AND expires_at > ? AND opened_at < expires_at ORDER BY expires_at`,
      )
      .all(staffId, this.nowIso()) as BreakGlassGrant[];
  }
}

/**
 * Tells when emergency-access grants of the person signed in end (session 10): `check()` (called every second)
 * compares the threads under an active grant now (`active`, read on the core's clock: BreakGlass.active) with the
 * last check's, and calls `ended` with those gone. A sign-out, lock or another person starts afresh (nothing
 * reported for the previous person's grants: the renderer drops them with the session). Cheap: one indexed read of
 * a small table per check while someone is signed in.
 */
export class GrantWatch {
  private staffId: string | null = null;
  private last = new Set<string>();

  constructor(
    private readonly signedIn: () => string | null,
    private readonly active: (staffId: string) => string[],
    private readonly ended: (threadIds: string[]) => void,
  ) {}

  /**
   * A grant was opened (BreakGlass's onOpen): known from now on, so its end is reported even if it comes before the
   * next check (session 10: a grant opened and ended between two checks went unreported).
   */
  opened(staffId: string, entityType: 'thread' | 'patient', threadId: string): void {
    this.check();
    if (entityType === 'thread' && staffId === this.staffId) this.last.add(threadId);
  }

  check(): void {
    const staffId = this.signedIn();
    if (staffId !== this.staffId) {
      this.staffId = staffId;
      this.last = new Set();
    }
    if (staffId === null) return;
    const now = new Set(this.active(staffId));
    const gone = [...this.last].filter((id) => !now.has(id));
    this.last = now;
    if (gone.length > 0) this.ended(gone);
  }
}
