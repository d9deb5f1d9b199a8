/**
 * The reply box of the open thread: saved replies (templates) with their fields filled in safely
 * (src-shared/reply-template.ts: a patient's name is text, never template syntax), "Send reply", and "Send and
 * close" (one call, thread.replyAndClose; then the next thread opens: next-thread.ts).
 */
import { useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import {
  TEMPLATE_FIELD_LABEL,
  fillTemplate,
  type TemplateField,
} from '../../../../src-shared/reply-template';
import { call, errorMessage } from '../../api';
import { setDraft, useInbox } from '../../state/inbox';
import { useReference } from '../../state/reference';
import { useSync } from '../../state/sync';
import { announce } from '../../state/ui';
import { sendReply } from './actions';
import { replyAndCloseAndNext } from './next-thread';

const GROUPS = [
  ['personal', 'My templates'],
  ['pool', 'This pool'],
  ['clinic', 'Clinic'],
] as const;

/** "Save as my template": the draft as it stands (fields still in braces stay fields) under a title. */
function SaveAsTemplate({ body }: { body: string }) {
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!open) {
    return (
      <button
        type="button"
        className="button button-quiet"
        disabled={!body.trim()}
        onClick={() => setOpen(true)}
      >
        Save as my template
      </button>
    );
  }
  async function save() {
    setError(null);
    try {
      await call('templates.savePersonal', { title: title.trim(), body: body.trim() });
      useReference.setState({ templates: await call('inbox.templates', {}) });
      announce('Template saved.');
      setOpen(false);
      setTitle('');
    } catch (e) {
      setError(errorMessage(e));
    }
  }
  return (
    <span className="inline-field">
      <label htmlFor="template-title">Template title</label>
      <input
        id="template-title"
        value={title}
        maxLength={80}
        onChange={(e) => setTitle(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void save();
          }
        }}
      />
      <button type="button" className="button" disabled={!title.trim()} onClick={() => void save()}>
        Save template
      </button>
      {error ? (
        <span className="inline-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}

export interface ReplyFields {
  first_name: string;
  providerId: string | null;
  /** The thread's pool: the "This pool" group offers that pool's templates only (session 4, 14c). */
  poolId?: string | null;
}

export function ReplyBox({
  threadId,
  closed,
  fields,
}: {
  threadId: string;
  closed: boolean;
  fields: ReplyFields;
}) {
  const draft = useInbox((s) => s.drafts[threadId] ?? '');
  const templates = useReference((s) => s.templates);
  const providers = useReference((s) => s.providers);
  const clinicPhone = useReference((s) => s.clinicPhone);
  const offline = useSync((s) => s.status?.connection === 'offline');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [missing, setMissing] = useState<TemplateField[]>([]);
  const ref = useRef<HTMLTextAreaElement>(null);
  // The box goes (another thread, the thread out of reach): its text goes with it. React keeps the last focused
  // text field (for onSelect) and that field's last value, and ignores the focus change made while it commits, so
  // a removed box could keep a draft dropped from the store in memory until lock (session 9's review).
  useLayoutEffect(() => {
    const box = ref.current;
    return () => {
      if (box) box.value = '';
    };
  }, []);

  async function send(andClose: boolean) {
    const body = draft.trim();
    if (!body) {
      ref.current?.focus();
      return;
    }
    setBusy(true);
    setSent(null);
    const ok = andClose ? await replyAndCloseAndNext(threadId, body) : await sendReply(threadId, body);
    setBusy(false);
    if (ok) {
      setDraft(threadId, '');
      setMissing([]);
      setSent(offline ? 'Reply saved on this PC. It is sent when the connection is back.' : 'Reply sent.');
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void send(false);
  }

  function insertTemplate(id: string) {
    const t = templates.find((x) => x.id === id);
    if (!t) return;
    const provider = providers.find((p) => p.id === fields.providerId)?.name ?? null;
    const filled = fillTemplate(t.body, {
      first_name: fields.first_name,
      provider,
      clinic_phone: clinicPhone,
    });
    setMissing(filled.missing);
    setDraft(threadId, draft.trim() ? `${draft.trimEnd()}\n\n${filled.text}` : filled.text);
    ref.current?.focus();
  }

  return (
    <form className="reply" onSubmit={submit} aria-labelledby="reply-title">
      <div className="reply-head">
        <h3 id="reply-title" className="reply-title">
          Reply to patient
        </h3>
        <div className="inline-field">
          <label htmlFor="reply-template">Template</label>
          <select id="reply-template" value="" onChange={(e) => insertTemplate(e.target.value)}>
            <option value="">Insert a saved reply…</option>
            {GROUPS.map(([scope, label]) => {
              const of = templates.filter(
                (t) => t.scope === scope && (scope !== 'pool' || t.pool === (fields.poolId ?? null)),
              );
              return of.length ? (
                <optgroup key={scope} label={label}>
                  {of.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.title}
                    </option>
                  ))}
                </optgroup>
              ) : null;
            })}
          </select>
        </div>
      </div>
      <label htmlFor="reply-body" className="visually-hidden">
        Reply
      </label>
      <textarea
        ref={ref}
        id="reply-body"
        rows={4}
        value={draft}
        placeholder={closed ? 'This thread is closed; a reply reopens the conversation.' : 'Write a reply…'}
        onChange={(e) => setDraft(threadId, e.target.value)}
        maxLength={20_000}
        aria-describedby={missing.length ? 'reply-missing' : undefined}
      />
      {missing.length ? (
        <p id="reply-missing" className="inline-error" role="status">
          Fill in before sending: {missing.map((f) => TEMPLATE_FIELD_LABEL[f]).join(', ')} (not known for this
          thread).
        </p>
      ) : null}
      <div className="reply-foot">
        <p className="muted reply-note" role="status">
          {sent ?? 'The patient sees replies in the portal.'}
        </p>
        <SaveAsTemplate body={draft} />
        {!closed ? (
          <button
            type="button"
            className="button"
            disabled={busy || !draft.trim()}
            onClick={() => void send(true)}
          >
            Send and close
          </button>
        ) : null}
        <button type="submit" className="button button-primary" disabled={busy || !draft.trim()}>
          {busy ? 'Sending…' : 'Send reply'}
        </button>
      </div>
    </form>
  );
}
