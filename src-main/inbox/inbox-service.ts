import type { Priority, StaffRecord, ThreadStatus } from '../../src-shared/domain';
import { ApiError } from '../../src-shared/errors';
import type { MutationOp } from '../../src-shared/sync';
import { roleMayReadPool } from '../../src-shared/triage';
import type {
  AttachmentContent,
  QueueCounts,
  QueueSort,
  ThreadDetail,
  ThreadPage,
  Queue,
} from '../../src-shared/views';
import type { Clock } from '../base/adapters';
import { uuidv7 } from '../base/ids';
import type { Store } from '../store/store';
import { recordLocalMutation } from '../sync/local-mutations';
import { markUnchanging } from '../base/unchanging';
import { StoreCache } from '../store/store-cache';
import { threadSummaryOf } from './views';
import { SeenMarks } from './seen-marks';

/**
 * A cached first page is read again after this long even without a write (ms): an order that depends on the clock
 * (e.g. an SLA escalation) is then at most this late.
 */
export const FIRST_PAGE_MAX_AGE_MS = 1_000;
/** First pages kept at most (queues × filters × staff members signed in on this PC). */
const FIRST_PAGES_KEPT = 64;

export interface InboxListInput {
  queue: Queue;
  providerId?: string;
  priority?: Priority;
  status?: ThreadStatus;
  since?: string;
  search?: string;
  offset: number;
  limit: number;
  poolId?: string;
  sort?: QueueSort;
}

/** Inbox triage (DESIGN.md §1, §8): queues, the thread view, and changes written with their outbox rows. */
export class InboxService {
  /** Staff display names by id (message authors), read again after any write to the store (issue 16). */
  private readonly staffNames: StoreCache<Map<string, string>>;
  /** First pages of the queues (no search), per staff member and filter (issue 16). */
  private readonly firstPages: StoreCache<Map<string, ThreadPage>>;
  /**
   * The last "seen" mark written while the first pages were current (issue 16 §4): the pages as they were, the
   * thread, the mark written and the store's write version right after it. The next read brings the pages up to
   * date in memory instead of reading the store again, if nothing else was written since and the mark is in the
   * store (it committed: a rolled-back mark leaves the old value, and the pages are read again).
   */
  private seenSince: {
    pages: Map<string, ThreadPage>;
    threadId: string;
    seenAt: string;
    version: number;
  } | null = null;
  /** "Seen" marks derived from read events after the answer (issue 16 §3, session 9: seen-marks.ts). */
  readonly seenMarks: SeenMarks;
  /** Removes this inbox's hook from the store's reads of unread state (ThreadsRepo.onBeforeSeenRead). */
  private readonly stopSeenReads: () => void;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly afterWrite: () => void,
  ) {
    this.staffNames = new StoreCache(
      store,
      () => new Map(store.staff.list().map((s) => [s.id, s.displayName])),
      {
        tables: ['staff'],
      },
    );
    this.firstPages = new StoreCache(store, () => new Map<string, ThreadPage>(), {
      maxAgeMs: FIRST_PAGE_MAX_AGE_MS,
      now: () => clock.now(),
    });
    this.seenMarks = new SeenMarks(store, (threadId, at) => this.markSeen(threadId, at));
    this.stopSeenReads = store.threads.onBeforeSeenRead(() => this.seenMarks.applyPendingOrReport());
    // A crash (or a close) between a read's commit and its mark: the marks come back from the log.
    this.seenMarks.recover();
  }

  /**
   * A page of a queue. A first page without search text is kept in memory until any write to the store (a local
   * change, a sync apply, an eviction: src-main/store/table-changes.ts) or FIRST_PAGE_MAX_AGE_MS, whichever is
   * first, so switching between queues does not query again (issue 16, DESIGN §10: p95 < 0.5 ms).
   */
  list(staff: StaffRecord, input: InboxListInput): ThreadPage {
    // A cached page answers without the store: pending seen marks first (seen-marks.ts).
    this.seenMarks.applyPendingOrReport();
    const cacheable = input.offset === 0 && input.search === undefined;
    const key = cacheable ? `${staff.id}\u0000${JSON.stringify(input)}` : '';
    const pages = cacheable ? this.currentPages() : null;
    const hit = pages?.get(key);
    if (hit) return hit;
    // issue 14a: a receptionist's search never matches the bodies of clinical pools.
    const administrativeOnly = staff.role === 'receptionist' && input.search !== undefined;
    const { rows, total, totalIsLowerBound } = this.store.threads.page({
      ...input,
      staffId: staff.id,
      administrativeOnly,
    });
    const page: ThreadPage = { threads: rows.map(threadSummaryOf), total };
    if (totalIsLowerBound) page.totalIsLowerBound = true;
    if (pages) {
      // Shared by every later hit: never changed, so the router validates it once (issue 16).
      markUnchanging(page);
      if (pages.size >= FIRST_PAGES_KEPT) pages.clear();
      pages.set(key, page);
    }
    return page;
  }

  counts(staff: StaffRecord): QueueCounts {
    return this.store.threads.unreadCounts(staff.id);
  }

  /**
   * Done with this inbox (the core closes): its pending seen marks are no longer applied before the store's reads
   * of unread state (a start recovers them from the log) and its cached pages are dropped. Idempotent.
   */
  close(): void {
    this.stopSeenReads();
    this.forgetPages();
  }

  /**
   * Drops the cached first pages (patient names, subjects) from memory: on lock and sign-out (review 7 U8,
   * DESIGN §2.2, §6). The next page is read from the store again.
   */
  forgetPages(): void {
    this.firstPages.clear();
    this.seenSince = null;
  }

  /**
   * Marks the thread seen at `seenAt` (UTC ISO; default now) if it is unread (its unread flag clears), in the
   * caller's transaction. A read's mark is written by `seenMarks` from its audit event, after the answer.
   */
  markSeen(threadId: string, seenAt: string = new Date(this.clock.now()).toISOString()): void {
    const since = this.seenSince;
    const pages = this.pagesAfterSeen() ?? this.firstPages.peek();
    const before = this.store.changes.version();
    this.store.threads.markSeen(threadId, seenAt);
    const version = this.store.changes.version();
    // Nothing written (the thread was seen already): the pages are as current as before this call, so the previous
    // mark's record stays (the pages it brought up to date may not have been kept: inside a transaction after a
    // write, StoreCache keeps nothing; the next read checks that mark again). Else this mark's.
    if (version === before) this.seenSince = since;
    else this.seenSince = pages ? { pages, threadId, seenAt, version } : null;
  }

  /** The cached first pages, brought up to date after a "seen" mark when that is all that changed, or read again. */
  private currentPages(): Map<string, ThreadPage> {
    return this.pagesAfterSeen() ?? this.firstPages.get();
  }

  /**
   * The first pages as they were before the last "seen" mark, with that thread's unread flag as the store now
   * has it, when the mark is the only write since (a mark changes no queue's members, order or total: only the
   * flag). Null when anything else was written, the mark did not commit, or there is no such mark.
   * Measured (issue 16 §4): the first page after opening a thread was a store read of 1.96 ms median through
   * the router; this is one point read of the thread.
   */
  private pagesAfterSeen(): Map<string, ThreadPage> | null {
    const since = this.seenSince;
    if (!since) return null;
    this.seenSince = null;
    if (this.store.changes.version() !== since.version) return null;
    const state = this.store.threads.seenState(since.threadId);
    if (state === null || state.seen_at !== since.seenAt) return null;
    const unread = state.seen_at === null || state.seen_at < state.last_message_at;
    const pages = new Map<string, ThreadPage>();
    for (const [key, page] of since.pages) {
      const i = page.threads.findIndex((t) => t.id === since.threadId);
      if (i < 0 || page.threads[i]!.unread === unread) {
        pages.set(key, page);
        continue;
      }
      const threads = [...page.threads];
      threads[i] = { ...threads[i]!, unread };
      const patched = { ...page, threads };
      markUnchanging(patched);
      pages.set(key, patched);
    }
    // Inside a transaction after a write (the marks applied together: seen-marks.ts), nothing is kept (it may roll
    // back): the pages go on as they are, to the caller and through the next mark's seenSince, whose check at the
    // next read (version and the mark in the store) covers this mark too.
    if (!this.firstPages.adopt(pages)) return pages;
    // Still subject to FIRST_PAGE_MAX_AGE_MS, counted from the store read the pages came from.
    return this.firstPages.get();
  }

  /**
   * A thread with its patient and messages, as shown when opened. Does not mark it seen: see markSeen (the router
   * commits that with the read's audit event). Errors: ApiError NOT_FOUND (thread or patient not on this PC).
   */
  get(threadId: string): ThreadDetail {
    // Session 10: the thread with its patient in one point read, the messages with their attachments in one
    // statement (four statements before; issue 16 §3).
    const row = this.store.threads.detailWithPatient(threadId);
    if (!row) {
      if (this.store.threads.listRow(threadId) === null)
        throw new ApiError('NOT_FOUND', 'This thread is not on this PC.');
      throw new ApiError('NOT_FOUND', 'The patient of this thread is not on this PC.');
    }
    const staffNames = this.staffNames.get();
    const patientName = `${row.patient_given_name} ${row.patient_family_name}`;
    return {
      thread: threadSummaryOf({ ...row, seen_at: row.last_message_at }),
      patient: {
        id: row.patient_id,
        mrn: row.patient_mrn,
        givenName: row.patient_given_name,
        familyName: row.patient_family_name,
        birthDate: row.patient_birth_date,
        phone: row.patient_phone,
      },
      messages: this.store.messages.forThreadWithAttachments(threadId).map((m) => ({
        id: m.id,
        authorKind: m.author_kind,
        authorName: m.author_kind === 'patient' ? patientName : (staffNames.get(m.author_id) ?? 'Staff'),
        body: m.body,
        sentAt: m.sent_at,
        attachments: m.attachments.map((a) => ({
          id: a.id,
          fileName: a.file_name,
          mimeType: a.mime_type,
          size: a.size,
        })),
        // A reply written here has version 0 until the server's copy arrives with the next pull.
        pending: m.version === 0,
      })),
    };
  }

  attachment(attachmentId: string): AttachmentContent {
    const a = this.store.messages.attachment(attachmentId);
    if (!a) throw new ApiError('NOT_FOUND', 'This attachment is not on this PC.');
    return {
      id: a.id,
      fileName: a.file_name,
      mimeType: a.mime_type,
      contentBase64: a.content.toString('base64'),
    };
  }

  private change(staff: StaffRecord, threadId: string, mutation: MutationOp): void {
    const thread = this.store.threads.byId(threadId);
    if (!thread) throw new ApiError('NOT_FOUND', 'This thread is not on this PC.');
    recordLocalMutation(this.store, this.clock, {
      entity: 'thread',
      entityId: threadId,
      baseVersion: thread.version,
      staffId: staff.id,
      mutation,
    });
    this.afterWrite();
  }

  claim(staff: StaffRecord, threadId: string): void {
    const thread = this.store.threads.listRow(threadId);
    if (thread?.assignee_id && thread.assignee_id !== staff.id) {
      throw new ApiError('CONFLICT', `Already claimed by ${thread.assignee_name ?? 'another staff member'}.`);
    }
    this.change(staff, threadId, { op: 'thread.assign', assigneeId: staff.id });
  }
  release(staff: StaffRecord, threadId: string): void {
    this.change(staff, threadId, { op: 'thread.assign', assigneeId: null });
  }
  assign(staff: StaffRecord, threadId: string, assigneeId: string): void {
    const assignee = this.store.staff.byId(assigneeId);
    if (!assignee) throw new ApiError('NOT_FOUND', 'No such staff member.');
    // Review 7 U3: the server refuses a deactivated assignee (server/sync/apply.ts); say so now, in its words.
    if (assignee.active === false)
      throw new ApiError(
        'VALIDATION',
        `${assignee.displayName}'s account is not active: assign it to someone else.`,
      );
    // review 6 D9: only someone whose role may work the thread's pool (the server repeats it).
    if (!roleMayReadPool(assignee.role, this.store.pools.kindOfThread(threadId)))
      throw new ApiError(
        'VALIDATION',
        `${assignee.displayName} cannot work a thread of a clinical pool: assign it to a clinician.`,
      );
    this.change(staff, threadId, { op: 'thread.assign', assigneeId });
  }
  setPriority(staff: StaffRecord, threadId: string, priority: Priority): void {
    this.change(staff, threadId, { op: 'thread.setPriority', priority });
  }
  setStatus(staff: StaffRecord, threadId: string, status: ThreadStatus): void {
    this.change(staff, threadId, { op: 'thread.setStatus', status });
  }
  reply(staff: StaffRecord, threadId: string, body: string): string {
    const messageId = uuidv7(this.clock.now());
    this.change(staff, threadId, { op: 'message.send', messageId, body });
    return messageId;
  }
  /**
   * The reply, then status done (issue 14: reply-and-close in one action); the router runs this synchronous
   * call in one store transaction, so both outbox rows are written or neither.
   */
  replyAndClose(staff: StaffRecord, threadId: string, body: string): string {
    const messageId = this.reply(staff, threadId, body);
    this.setStatus(staff, threadId, 'done');
    return messageId;
  }
}
