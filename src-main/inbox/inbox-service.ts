import type { Priority, StaffRecord, ThreadStatus } from '../../src-shared/domain';
import { ApiError } from '../../src-shared/errors';
import type { MutationOp } from '../../src-shared/sync';
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
import { threadSummaryOf } from './views';

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
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly afterWrite: () => void,
  ) {}

  list(staff: StaffRecord, input: InboxListInput): ThreadPage {
    // issue 14a: a receptionist's search never matches the bodies of clinical pools.
    const administrativeOnly = staff.role === 'receptionist' && input.search !== undefined;
    const { rows, total } = this.store.threads.page({ ...input, staffId: staff.id, administrativeOnly });
    return { threads: rows.map(threadSummaryOf), total };
  }

  counts(staff: StaffRecord): QueueCounts {
    return this.store.threads.unreadCounts(staff.id);
  }

  get(threadId: string): ThreadDetail {
    const row = this.store.threads.listRow(threadId);
    if (!row) throw new ApiError('NOT_FOUND', 'This thread is not on this PC.');
    const patient = this.store.patients.byId(row.patient_id);
    if (!patient) throw new ApiError('NOT_FOUND', 'The patient of this thread is not on this PC.');
    this.store.threads.markSeen(threadId, new Date(this.clock.now()).toISOString());
    const attachments = this.store.messages.attachmentsOfThread(threadId);
    const staffNames = new Map(this.store.staff.list().map((s) => [s.id, s.displayName]));
    const patientName = `${patient.givenName} ${patient.familyName}`;
    return {
      thread: threadSummaryOf({ ...row, seen_at: row.last_message_at }),
      patient: {
        id: patient.id,
        mrn: patient.mrn,
        givenName: patient.givenName,
        familyName: patient.familyName,
        birthDate: patient.birthDate,
        phone: patient.phone,
      },
      messages: this.store.messages.forThread(threadId).map((m) => ({
        id: m.id,
        authorKind: m.author_kind,
        authorName: m.author_kind === 'patient' ? patientName : (staffNames.get(m.author_id) ?? 'Staff'),
        body: m.body,
        sentAt: m.sent_at,
        attachments: attachments
          .filter((a) => a.message_id === m.id)
          .map((a) => ({ id: a.id, fileName: a.file_name, mimeType: a.mime_type, size: a.size })),
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
    if (!this.store.staff.byId(assigneeId)) throw new ApiError('NOT_FOUND', 'No such staff member.');
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
}
