/**
 * Which records' trails an audited call must show (DESIGN.md §7 "Coverage", issue 11):
 * - a list read (inbox page, search, schedule range, patient search) records one 'read' event per record it
 *   returned, and one per patient whose name it showed, so a patient's trail answers "who looked me up";
 *   the event's field name is the method that listed it (e.g. 'inbox.list'), never a value;
 * - an attachment read is recorded on its thread and on the thread's patient, with the field name
 *   `attachment.<attachmentId>` (ids only), since no trail is kept per attachment.
 * The same person re-running the same list query (the UI re-queries on every sync refresh) within
 * LIST_READ_REPEAT_MS does not record its records again: each look-up is in the trail, its refreshes are not.
 */
import type { MethodName } from '../../src-shared/contract';
import type { AuditAction, AuditEntityType } from '../../src-shared/domain';
import type {
  AppointmentView,
  PatientView,
  ScheduleView,
  ThreadPage,
  WaitlistView,
} from '../../src-shared/views';
import type { Store } from '../store/store';

/** A record an audit event is written on, with the field names the event carries. */
export interface AuditSubject {
  entityType: AuditEntityType;
  entityId: string;
  fields: string[];
}

const MAX_ID = 64;

function add(out: AuditSubject[], seen: Set<string>, entityType: AuditEntityType, id: string, field: string) {
  const key = `${entityType}\u0000${id}`;
  if (seen.has(key) || id.length === 0 || id.length > MAX_ID) return;
  seen.add(key);
  out.push({ entityType, entityId: id, fields: [field] });
}

/**
 * The records a successful list read returned, in the order shown, each once: threads then their patients
 * (inbox.list), appointments then their patients (schedule.range), patients (patient.search).
 * Any other method returns [] (it names its record in its input, or touches none).
 */
export function listedRecords(method: MethodName, output: unknown): AuditSubject[] {
  const out: AuditSubject[] = [];
  const seen = new Set<string>();
  switch (method) {
    case 'inbox.list': {
      const page = output as ThreadPage;
      for (const t of page.threads) add(out, seen, 'thread', t.id, method);
      for (const t of page.threads) add(out, seen, 'patient', t.patientId, method);
      break;
    }
    case 'schedule.range': {
      const view = output as ScheduleView;
      const shown: AppointmentView[] = view.appointments;
      for (const a of shown) add(out, seen, 'appointment', a.id, method);
      for (const a of shown) add(out, seen, 'patient', a.patientId, method);
      break;
    }
    case 'patient.search':
      for (const p of output as PatientView[]) add(out, seen, 'patient', p.id, method);
      break;
    // issue 13 §5: the waitlist shows patients' names
    case 'waitlist.list':
    case 'waitlist.offers': {
      const entries = output as WaitlistView[];
      for (const e of entries) add(out, seen, 'waitlist', e.id, method);
      for (const e of entries) add(out, seen, 'patient', e.patientId, method);
      break;
    }
    default:
      break;
  }
  return out;
}

/** Whether a record of this type is held on this PC (an audit event may then carry its id). */
function heldLocally(store: Store, entityType: AuditEntityType, id: string, input: unknown): boolean {
  switch (entityType) {
    case 'thread':
      return store.threads.byId(id) !== null;
    case 'appointment':
      return store.appointments.byId(id) !== null;
    case 'patient':
      return store.patients.byId(id) !== null;
    case 'staff':
      return store.staff.byId(id) !== null;
    case 'series':
      return store.series.byId(id) !== null;
    case 'waitlist':
      return store.waitlist.byId(id) !== null;
    case 'settings':
      // A device's settings (enrolment, revocation): a device this PC knows of. Session 4, 13c: a provider's
      // availability template (by provider id) or an availability exception held here.
      return (
        store.devices.nameOf(id) !== null ||
        store.providers.byId(id) !== null ||
        store.availability.hasException(id)
      );
    case 'audit': {
      // Reading or exporting a record's trail: the id is that record's, of the type the input names.
      const named = (input as { entityType?: unknown } | null)?.entityType;
      const type = typeof named === 'string' ? (named as AuditEntityType) : null;
      return type !== null && type !== 'audit' && heldLocally(store, type, id, null);
    }
    default:
      return false;
  }
}

/**
 * The records whose trails carry an event on the named record, or null when no such record is held on this PC:
 * the caller then records one event without an id, so text typed into an id field (a refused or failed call,
 * even signed out) never lands in the audit log and off the device (issue 11 review). An attachment (audit
 * entity 'message' with the attachment's id) maps to its thread and the thread's patient; an absence (entity
 * 'staff' with an absence's id, coverage.end) maps to its absent clinician, as the server records it (session 6);
 * any other record maps to itself, and a read of a thread or an appointment is also recorded on its patient's trail (field
 * `thread.<id>` / `appointment.<id>`), so a patient's trail answers "who looked me up". `input` is the call's
 * validated input (for audit reads, which name the record's type).
 */
export function subjectsOf(
  store: Store,
  action: AuditAction,
  entityType: AuditEntityType,
  entityId: string,
  fields: readonly string[],
  input: unknown,
): AuditSubject[] | null {
  if (entityType === 'message') {
    const attachment = store.messages.attachmentOwner(entityId);
    if (!attachment) return null;
    const field = `attachment.${entityId}`;
    const extra = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(field) ? [field] : ['attachment'];
    return [
      { entityType: 'thread', entityId: attachment.threadId, fields: [...fields, ...extra] },
      { entityType: 'patient', entityId: attachment.patientId, fields: [...fields, ...extra] },
    ];
  }
  if (action === 'read' && (entityType === 'thread' || entityType === 'appointment')) {
    const patientId =
      entityType === 'thread'
        ? store.threads.patientIdOf(entityId)
        : (store.appointments.byId(entityId)?.patientId ?? null);
    if (patientId === null) return null;
    const field = `${entityType}.${entityId}`;
    const extra = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(field) ? [field] : [entityType];
    return [
      { entityType, entityId, fields: [...fields] },
      { entityType: 'patient', entityId: patientId, fields: [...fields, ...extra] },
    ];
  }
  if (entityType === 'staff' && store.staff.byId(entityId) === null) {
    // coverage.end names an absence: the change is on its clinician's record, as the server records it.
    const absence = store.coverage.absences().find((a) => a.id === entityId);
    return absence ? [{ entityType, entityId: absence.staffId, fields: [...fields] }] : null;
  }
  if (!heldLocally(store, entityType, entityId, input)) return null;
  return [{ entityType, entityId, fields: [...fields] }];
}

/**
 * The person's key for RecentListReads, distinct per session (`current()`'s object: a sign-in starts a new one,
 * a lock and unlock keep it): a look-up in a new session is recorded again, only its refreshes are not (review 7
 * R14). Null (signed out) stays null.
 */
export function sessionScopedStaff(current: () => object | null): (staffId: string | null) => string | null {
  const serials = new WeakMap<object, number>();
  let next = 0;
  return (staffId) => {
    const session = current();
    if (staffId === null || session === null) return staffId;
    let serial = serials.get(session);
    if (serial === undefined) serials.set(session, (serial = ++next));
    return `${staffId}#${serial}`;
  };
}

/** A repeat of the same list query by the same person within this time adds no per-record events. */
export const LIST_READ_REPEAT_MS = 10 * 60_000;
const MAX_REMEMBERED = 100_000;

/**
 * Which records of a list read are new for this person and this query within LIST_READ_REPEAT_MS (ms, from
 * the injected clock). Memory is bounded: past MAX_REMEMBERED keys it starts afresh (records more, never less).
 */
export class RecentListReads {
  /** Per query (staff, method, input), per record: when it was last recorded. Nested so a key is built once. */
  private readonly seen = new Map<string, Map<string, number>>();
  /**
   * Per query: the last answer object recorded and the oldest and newest record times of its records. The same
   * object again (a cached, frozen first page: src-main/ipc/validated-output.ts) within LIST_READ_REPEAT_MS of
   * the oldest has every record already recorded, so its records are not listed again (session 5, 16r).
   */
  private readonly answers = new Map<string, { output: object; oldest: number; newest: number }>();
  private size = 0;
  /** Undo steps of what was remembered inside the running `atomically` call (null outside one). */
  private journal: (() => void)[] | null = null;
  constructor(private readonly now: () => number) {}

  /**
   * Run `fn` (the router's transaction of a call and its audit events): if it throws (a failed audit write, a
   * failed commit), everything remembered during it is forgotten again, so a repeat of the read is recorded
   * (review 7 R8: the records were otherwise taken as recorded while their events were rolled back). Nests.
   */
  atomically<T>(fn: () => T): T {
    if (this.journal) return fn();
    const journal: (() => void)[] = [];
    this.journal = journal;
    try {
      return fn();
    } catch (error) {
      for (let i = journal.length - 1; i >= 0; i--) journal[i]!();
      throw error;
    } finally {
      this.journal = null;
    }
  }

  /**
   * fresh() for a list read's answer: `subjectsOf(output)` is only built when the answer is not the very object
   * whose records were all recorded within LIST_READ_REPEAT_MS (and the clock has not gone back since).
   */
  freshFor(
    staffId: string | null,
    method: MethodName,
    input: unknown,
    output: unknown,
    subjectsOf: (output: unknown) => readonly AuditSubject[],
  ): AuditSubject[] {
    const now = this.now();
    const query = queryKey(staffId, method, input);
    const last = this.answers.get(query);
    if (last && last.output === output && now >= last.newest && now - last.oldest < LIST_READ_REPEAT_MS)
      return [];
    const subjects = subjectsOf(output);
    const out = this.fresh(staffId, method, input, subjects, query);
    const records = this.seen.get(query);
    // Only frozen answers (the validated copies of cached pages, handed out again as the same object): another
    // answer is a new object every time and would only be held in memory for nothing.
    if (typeof output === 'object' && output !== null && Object.isFrozen(output) && records) {
      let oldest = now;
      let newest = now;
      for (const s of subjects) {
        const at = records.get(`${s.entityType}\u0000${s.entityId}`) ?? now;
        if (at < oldest) oldest = at;
        if (at > newest) newest = at;
      }
      const before = this.answers.get(query);
      this.journal?.push(() => (before ? this.answers.set(query, before) : this.answers.delete(query)));
      this.answers.set(query, { output, oldest, newest });
    }
    return out;
  }

  /**
   * Drops the answers kept for freshFor's shortcut (cached pages: patient names) on lock (review 7 U8); which
   * records were recorded stays, so a refresh after unlock still adds no per-record events (review 7 R14).
   */
  forgetAnswers(): void {
    this.answers.clear();
  }

  /** Forgets everything (sign-out: a new session records its look-ups again anyway, review 7 R14; U8). */
  clear(): void {
    this.seen.clear();
    this.answers.clear();
    this.size = 0;
  }

  /** The subjects to record now; remembers them as recorded. */
  fresh(
    staffId: string | null,
    method: MethodName,
    input: unknown,
    subjects: readonly AuditSubject[],
    query: string = queryKey(staffId, method, input),
  ): AuditSubject[] {
    const now = this.now();
    if (this.size + subjects.length > MAX_REMEMBERED) {
      this.seen.clear();
      this.answers.clear();
      this.size = 0;
    }
    let records = this.seen.get(query);
    if (!records) this.seen.set(query, (records = new Map()));
    const out: AuditSubject[] = [];
    for (const s of subjects) {
      const key = `${s.entityType}\u0000${s.entityId}`;
      const last = records.get(key);
      if (last !== undefined && now - last >= 0 && now - last < LIST_READ_REPEAT_MS) continue;
      if (last === undefined) this.size++;
      records.set(key, now);
      if (this.journal) {
        const map = records;
        this.journal.push(() => {
          if (last === undefined) {
            map.delete(key);
            this.size--;
          } else map.set(key, last);
        });
      }
      out.push(s);
    }
    return out;
  }
}

function queryKey(staffId: string | null, method: MethodName, input: unknown): string {
  return `${staffId ?? ''}\u0000${method}\u0000${JSON.stringify(input)}`;
}
