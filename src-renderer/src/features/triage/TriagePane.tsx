/**
 * issue 14a: the open-thread pane by triage pool. A thread of a pool this role may not read (a receptionist and
 * a clinical pool) shows only its topic and subject, with "Move to pool" to re-route a mis-filed thread; the
 * body is never asked for. A thread opens in the usual thread view only when the role is known to read it
 * (state/triage.ts mayAskForBody), also when it is not in the list shown (session 9, s9sec: it used to fall back
 * to the thread view, which asked for the body of a withheld thread, a refused read recorded against the person):
 * its summary as chosen is kept (state/inbox.ts threadSummary), and a thread of unknown pool is not read by a role
 * that may not read every pool.
 */
import { useEffect, useRef, useState } from 'react';
import { TOPIC_LABELS, type Topic } from '../../../../src-shared/triage';
import type { ThreadSummary } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { SelectField } from '../../components/Field';
import {
  detailHeld,
  dropDraft,
  forgetDetail,
  retryHeldRefresh,
  threadPaneShown,
  threadSummary,
  useInbox,
} from '../../state/inbox';
import { bodyWithheld, dropAccess, loadPools, mayAskForBody, useTriage } from '../../state/triage';
import { BreakGlassDialog } from './BreakGlassDialog';
import { announce, useUi } from '../../state/ui';
import { useFocusToListOnUnmount } from '../inbox/focus';
import { ThreadPane } from '../inbox/ThreadView';

export function TriagePane() {
  const selectedId = useUi((s) => s.selectedThreadId);
  // re-render when the pools change (bodyWithheld reads them) and when pages arrive (the summary of the
  // selected thread lives there)
  useTriage((s) => s.pools);
  const poolsChecked = useTriage((s) => s.poolsChecked);
  useInbox((s) => s.pages);
  const listLoading = useInbox((s) => s.total === null);
  const granted = useTriage((s) => s.granted);
  const detailError = useInbox((s) => s.detailError);
  const summary = selectedId ? threadSummary(selectedId) : undefined;
  const underGrant = selectedId !== null && granted.includes(selectedId);
  // Emergency access ended (the core refuses the read again): back to topic and subject.
  useEffect(() => {
    if (underGrant && detailError && selectedId) dropAccess(selectedId);
  }, [underGrant, detailError, selectedId]);
  const restricted = summary !== undefined && bodyWithheld(summary);
  // The thread view (which asks for the body) only for a thread the role is known to read.
  // A thread whose detail the pane holds (or reads) stays mounted across a change elsewhere that may have taken
  // something out of reach (review 10, R10-1: its reply box and focus stay); its refresh (`thread.getIfChanged`)
  // lets the core decide whether it went out of reach, and a list read since that shows it withheld closes it.
  const readable =
    selectedId === null || (!restricted && (mayAskForBody(selectedId, summary) || detailHeld(selectedId)));
  // The pools and the list read again after a change elsewhere: the held thread is checked now (if still shown).
  useEffect(() => {
    if (selectedId && readable && poolsChecked && !listLoading) retryHeldRefresh(selectedId);
  }, [selectedId, readable, poolsChecked, listLoading]);
  // The thread pane's place is on screen while this is mounted; leaving (another view) forgets the open thread's
  // detail (review 9, suspicion 3).
  useEffect(() => {
    threadPaneShown(true);
    return () => threadPaneShown(false);
  }, []);
  // The restricted view or a placeholder replaces the thread pane (a withheld thread chosen, the one open moved out
  // of reach, one not known to be readable): the detail it held goes, also one a read answered with since.
  const holdsDetail = useInbox((s) => s.detail !== null);
  useEffect(() => {
    if (!readable && holdsDetail) forgetDetail();
  }, [readable, holdsDetail]);
  // Its restricted view shown: the thread is out of reach, and so is its reply draft (PHI; session 9's review).
  const restrictedId = summary && restricted ? summary.id : null;
  useEffect(() => {
    if (restrictedId) dropDraft(restrictedId);
  }, [restrictedId]);
  if (summary && restricted) return <RestrictedThread key={summary.id} thread={summary} />;
  if (!readable) {
    // Not known to be readable: the pools are being read again after a change, or the thread is in no list shown
    // (chosen from elsewhere, or since a change took something out of reach). Its body is not asked for.
    return summary || listLoading || !poolsChecked ? (
      <div className="empty-state" aria-busy="true">
        <p>Loading thread…</p>
      </div>
    ) : (
      <div className="empty-state">
        <p className="empty-title">This thread is not in the list shown</p>
        <p>Choose it in a list to see it.</p>
      </div>
    );
  }
  return <ThreadPane />;
}

function RestrictedThread({ thread }: { thread: ThreadSummary }) {
  const pools = useTriage((s) => s.pools);
  const accessEnded = useTriage((s) => s.ended.includes(thread.id));
  const current = pools.find((p) => p.id === thread.poolId);
  const targets = pools.filter((p) => p.id !== thread.poolId);
  const [target, setTarget] = useState(targets[0]?.id ?? '');
  const [error, setError] = useState<string | null>(null);
  const [emergency, setEmergency] = useState(false);
  const topic = thread.topic && thread.topic in TOPIC_LABELS ? TOPIC_LABELS[thread.topic as Topic] : null;
  const ref = useRef<HTMLElement>(null);
  useFocusToListOnUnmount(ref);

  const move = async () => {
    setError(null);
    try {
      await call('thread.route', { threadId: thread.id, poolId: target });
      announce(`Thread moved to ${pools.find((p) => p.id === target)?.name ?? 'another pool'}.`);
      void loadPools();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <article ref={ref} className="thread" aria-labelledby="restricted-subject">
      <header className="thread-header">
        <h2 id="restricted-subject" className="thread-subject">
          {thread.subject}
        </h2>
        <p>
          Topic: {topic ?? 'Not given'} · Pool: {current?.name ?? 'None'}
        </p>
      </header>
      {accessEnded ? (
        <p role="alert" className="inline-error">
          Your emergency access to this thread has ended.
        </p>
      ) : null}
      <p role="note">
        This thread is in a clinical pool: your role sees its topic and subject only. If it is mis-filed, move
        it to the right pool.
      </p>
      <SelectField
        compact
        label="Move to pool"
        value={target}
        onChange={setTarget}
        options={targets.map((p) => ({ value: p.id, label: p.name }))}
      />
      <button type="button" className="button" onClick={() => void move()} disabled={!target}>
        Move thread
      </button>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
      <p>
        <button type="button" className="button" onClick={() => setEmergency(true)}>
          Emergency access…
        </button>
      </p>
      {emergency ? <BreakGlassDialog threadId={thread.id} onClose={() => setEmergency(false)} /> : null}
    </article>
  );
}
