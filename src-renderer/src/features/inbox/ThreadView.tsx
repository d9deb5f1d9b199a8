/** The open thread: patient, messages with attachments, triage actions and the reply box. */
import { memo, useEffect, useId, useRef, useState } from 'react';
import { PRIORITIES, THREAD_STATUSES, type Priority, type ThreadStatus } from '../../../../src-shared/domain';
import { assignableColleagues } from './assignable';
import type { AttachmentMeta, MessageView, ThreadDetail } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { DueBadge, PRIORITY_LABEL, PriorityBadge, STATUS_LABEL, StatusBadge } from '../../components/Badges';
import { base64ToBlob, objectUrl, revoke, saveBlob } from '../../lib/download';
import { dateTimeLabel } from '../../lib/time';
import { useData } from '../../state/data';
import { loadCounts, refreshDetail, rowById, takeOpenedLoad, useInbox } from '../../state/inbox';
import { bodyWithheld } from '../../state/triage';
import { useReference } from '../../state/reference';
import { useSession } from '../../state/session';
import { useTriage } from '../../state/triage';
import { setUi, useUi } from '../../state/ui';
import { assignThread, claimThread, releaseThread, setPriority, setStatus } from './actions';
import { markDoneAndNext } from './next-thread';
import { ReplyBox } from './ReplyBox';
import { useFocusToListOnUnmount } from './focus';

/**
 * How long the thread shown before stays on screen, dimmed, busy and inert, while the thread just opened is read
 * (ms); after that the pane says "Loading thread…". Within one frame (issue 16 §5): the opened thread replaces the
 * previous one in one commit when its read answers (a few ms), instead of the click's task taking the previous
 * thread out and putting a loading state in (and the frame laying that out) before the answer could be shown.
 * Nothing of the opened thread is shown before its read answers (its messages come with its audited read).
 * 100 ms: RAIL's budget for a response to input.
 */
export const SHOW_LOADING_AFTER_MS = 100;

export function ThreadPane() {
  const selectedId = useUi((s) => s.selectedThreadId);
  const detail = useInbox((s) => s.detail);
  const detailError = useInbox((s) => s.detailError);
  const version = useData((s) => s.version);
  /** The opened thread whose read has taken longer than SHOW_LOADING_AFTER_MS (the pane then says loading). */
  const [late, setLate] = useState<string | null>(null);
  const detailChecked = useInbox((s) => s.detailChecked);
  const waiting = selectedId !== null && detail !== null && detail.thread.id !== selectedId;
  // The thread held is shown as "previous" only if this pane showed it (the detail is forgotten when the pane stops
  // showing it: state/inbox.ts forgetDetail), no change of records came since it was read or checked, and its
  // body is not withheld as the list now has it (review 9, suspicion 3): else the pane says it is loading.
  const previousShowable =
    waiting && detailChecked && !bodyWithheld(rowById(detail.thread.id) ?? detail.thread);

  useEffect(() => {
    // openThread (a click, Enter) already asked for it, in the click's own task: do not read it twice. After a
    // data change it is read again only if its own data changed (review 7 U4: refreshDetail).
    if (selectedId) {
      if (!takeOpenedLoad(selectedId, version)) void refreshDetail(selectedId);
    } else useInbox.setState({ detail: null, detailError: null, actionError: null });
  }, [selectedId, version]);

  useEffect(() => {
    if (!waiting) return;
    const t = setTimeout(() => setLate(selectedId), SHOW_LOADING_AFTER_MS);
    return () => clearTimeout(t);
  }, [waiting, selectedId]);

  // Opening a thread marks it read on this PC: refresh the unread counts (its row's dot is cleared when the read
  // answers: state/inbox.ts markRowRead).
  useEffect(() => {
    if (!selectedId) return;
    const t = setTimeout(() => void loadCounts(), 150);
    return () => clearTimeout(t);
  }, [selectedId]);

  if (!selectedId) {
    return (
      <div className="empty-state">
        <p className="empty-title">No thread open</p>
        <p>
          Pick a thread from the list, or press <kbd>j</kbd>/<kbd>k</kbd> to move and <kbd>Enter</kbd> to
          open.
        </p>
      </div>
    );
  }
  if (detailError && (!detail || detail.thread.id !== selectedId)) {
    return (
      <div className="empty-state" role="alert">
        <p className="empty-title">This thread cannot be shown</p>
        <p>{detailError}</p>
      </div>
    );
  }
  if (previousShowable && late !== selectedId) {
    // The thread shown before, until the opened one's read answers: dimmed, marked busy, and inert (nothing in it
    // can be pressed or reached, so no action lands on it by mistake).
    return <ThreadView key={detail.thread.id} detail={detail} previous />;
  }
  if (!detail || detail.thread.id !== selectedId) {
    return (
      <div className="empty-state" aria-busy="true">
        <p>Loading thread…</p>
      </div>
    );
  }
  return <ThreadView key={detail.thread.id} detail={detail} previous={false} />;
}

/**
 * The open thread. `previous`: it is the thread shown before the one just opened, kept until that one's read
 * answers (ThreadPane); its content does not render again for that (ThreadContent is memoized on the detail).
 */
function ThreadView({ detail, previous }: { detail: ThreadDetail; previous: boolean }) {
  const ref = useRef<HTMLElement>(null);
  useFocusToListOnUnmount(ref);
  return (
    <article
      ref={ref}
      className={`thread${previous ? ' thread-previous' : ''}`}
      aria-labelledby="thread-subject"
      aria-busy={previous || undefined}
      inert={previous}
    >
      <ThreadContent detail={detail} />
    </article>
  );
}

const ThreadContent = memo(function ThreadContent({ detail }: { detail: ThreadDetail }) {
  const { thread, patient, messages } = detail;
  const me = useSession((s) => s.info?.staff);
  const staff = useReference((s) => s.staff);
  const actionError = useInbox((s) => s.actionError);
  const [assignee, setAssignee] = useState('');
  const assignId = useId();
  const mine = thread.assigneeId !== null && thread.assigneeId === me?.id;
  const poolKind = useTriage((s) => s.pools.find((p) => p.id === thread.poolId)?.kind);
  const assignable = assignableColleagues(staff, me?.id, poolKind);

  return (
    <>
      <header className="thread-header">
        <div className="thread-title-row">
          <h2 id="thread-subject" className="thread-subject">
            {thread.subject}
          </h2>
          <div className="thread-badges">
            <PriorityBadge priority={thread.priority} />
            <StatusBadge status={thread.status} />
            <DueBadge dueAt={thread.dueAt} status={thread.status} />
          </div>
        </div>
        <p className="thread-patient">
          <button type="button" className="link-button" onClick={() => setUi({ patientId: patient.id })}>
            {patient.givenName} {patient.familyName}
          </button>
          <span className="muted">{patient.mrn}</span>
          <span className="muted">Born {patient.birthDate}</span>
          <span className="muted">
            {thread.assigneeName ? `Assigned to ${thread.assigneeName}` : 'Unassigned'}
          </span>
        </p>
      </header>

      <div className="thread-actions" role="group" aria-label="Thread actions">
        {mine ? (
          <button type="button" className="button" onClick={() => void releaseThread(thread.id)}>
            Release
          </button>
        ) : (
          <button type="button" className="button button-primary" onClick={() => void claimThread(thread.id)}>
            Claim <kbd className="kbd-hint">c</kbd>
          </button>
        )}
        <div className="inline-field">
          <label htmlFor={assignId} className="visually-hidden">
            Assign to
          </label>
          <select id={assignId} value={assignee} onChange={(e) => setAssignee(e.target.value)}>
            <option value="">Assign to…</option>
            {assignable.map((s) => (
              <option key={s.id} value={s.id}>
                {s.displayName}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button"
            disabled={!assignee}
            onClick={() => {
              const who = staff.find((s) => s.id === assignee);
              if (who) void assignThread(thread.id, who.id, who.displayName).then(() => setAssignee(''));
            }}
          >
            Assign
          </button>
        </div>
        <div className="inline-field">
          <label htmlFor="thread-priority">Priority</label>
          <select
            id="thread-priority"
            value={thread.priority}
            onChange={(e) => void setPriority(thread.id, e.target.value as Priority)}
          >
            {PRIORITIES.map((p, i) => (
              <option key={p} value={p}>
                {PRIORITY_LABEL[p]} ({i + 1})
              </option>
            ))}
          </select>
        </div>
        <div className="inline-field">
          <label htmlFor="thread-status">Status</label>
          <select
            id="thread-status"
            value={thread.status}
            onChange={(e) => void setStatus(thread.id, e.target.value as ThreadStatus)}
          >
            {THREAD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        {thread.status !== 'done' ? (
          <button type="button" className="button" onClick={() => void markDoneAndNext(thread.id)}>
            Mark done <kbd className="kbd-hint">d</kbd>
          </button>
        ) : null}
        <button
          type="button"
          className="button button-quiet"
          onClick={() => setUi({ auditTarget: { entityType: 'thread', entityId: thread.id } })}
        >
          Audit trail
        </button>
      </div>
      {actionError ? (
        <p className="inline-error" role="alert">
          {actionError}
        </p>
      ) : null}

      <ol className="messages" aria-label="Messages">
        {messages.map((m) => (
          <Message key={m.id} m={m} />
        ))}
      </ol>

      <ReplyBox
        threadId={thread.id}
        closed={thread.status === 'done'}
        fields={{ first_name: patient.givenName, providerId: thread.providerId, poolId: thread.poolId }}
      />
    </>
  );
});

function Message({ m }: { m: MessageView }) {
  return (
    <li className={`message message-${m.authorKind}${m.pending ? ' message-pending' : ''}`}>
      <div className="message-head">
        <span className="message-author">{m.authorName}</span>
        <span className="message-role">{m.authorKind === 'patient' ? 'Patient' : 'Staff'}</span>
        <time className="message-time" dateTime={m.sentAt}>
          {dateTimeLabel(m.sentAt)}
        </time>
        {m.pending ? <span className="badge badge-pending">Not yet sent</span> : null}
      </div>
      <p className="message-body">{m.body}</p>
      {m.attachments.length > 0 ? (
        <ul className="attachments" aria-label="Attachments">
          {m.attachments.map((a) => (
            <Attachment key={a.id} a={a} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function Attachment({ a }: { a: AttachmentMeta }) {
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const isImage = /^image\/(png|jpeg|gif|webp)$/.test(a.mimeType);

  useEffect(() => () => (preview ? revoke(preview) : undefined), [preview]);

  async function fetchBlob(): Promise<Blob | null> {
    setError(null);
    try {
      const content = await call('attachment.get', { attachmentId: a.id });
      return base64ToBlob(content.contentBase64, content.mimeType);
    } catch (e) {
      setError(errorMessage(e));
      return null;
    }
  }

  return (
    <li className="attachment">
      <svg
        className="attachment-icon"
        viewBox="0 0 16 16"
        width="16"
        height="16"
        aria-hidden="true"
        focusable="false"
      >
        <path d="M10.5 3.5 5 9a1.8 1.8 0 0 0 2.5 2.5L13 6a3 3 0 0 0-4.2-4.2L3.2 7.3a4.2 4.2 0 0 0 6 6l4.3-4.3" />
      </svg>
      <span className="attachment-name">{a.fileName}</span>
      <span className="muted">{sizeLabel(a.size)}</span>
      <button
        type="button"
        className="button button-small"
        aria-label={`Download ${a.fileName}`}
        onClick={async () => {
          const blob = await fetchBlob();
          if (blob) saveBlob(blob, a.fileName);
        }}
      >
        Download
      </button>
      {isImage && !preview ? (
        <button
          type="button"
          className="button button-small button-quiet"
          aria-label={`Preview ${a.fileName}`}
          onClick={async () => {
            const blob = await fetchBlob();
            if (blob) setPreview(objectUrl(blob));
          }}
        >
          Preview
        </button>
      ) : null}
      {error ? (
        <span className="inline-error" role="alert">
          {error}
        </span>
      ) : null}
      {preview ? <img className="attachment-preview" src={preview} alt={`Preview of ${a.fileName}`} /> : null}
    </li>
  );
}
