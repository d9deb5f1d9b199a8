/**
 * issue 14a: the open-thread pane by triage pool. A thread of a pool this role may not read (a receptionist and
 * a clinical pool) shows only its topic and subject, with "Move to pool" to re-route a mis-filed thread; the
 * body is never asked for. Every other thread opens in the usual thread view.
 */
import { useEffect, useState } from 'react';
import { TOPIC_LABELS, type Topic } from '../../../../src-shared/triage';
import type { ThreadSummary } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { SelectField } from '../../components/Field';
import { forgetDetail, rowById, threadPaneShown, useInbox } from '../../state/inbox';
import { bodyWithheld, dropAccess, loadPools, useTriage } from '../../state/triage';
import { BreakGlassDialog } from './BreakGlassDialog';
import { announce, useUi } from '../../state/ui';
import { ThreadPane } from '../inbox/ThreadView';

export function TriagePane() {
  const selectedId = useUi((s) => s.selectedThreadId);
  // re-render when the pools change (bodyWithheld reads them) and when pages arrive (the summary of the
  // selected thread lives there)
  useTriage((s) => s.pools);
  useInbox((s) => s.pages);
  const granted = useTriage((s) => s.granted);
  const detailError = useInbox((s) => s.detailError);
  const summary = selectedId ? rowById(selectedId) : undefined;
  const underGrant = selectedId !== null && granted.includes(selectedId);
  // Emergency access ended (the core refuses the read again): back to topic and subject.
  useEffect(() => {
    if (underGrant && detailError && selectedId) dropAccess(selectedId);
  }, [underGrant, detailError, selectedId]);
  const restricted = summary !== undefined && bodyWithheld(summary);
  // The thread pane's place is on screen while this is mounted; leaving (another view) forgets the open thread's
  // detail (review 9, suspicion 3).
  useEffect(() => {
    threadPaneShown(true);
    return () => threadPaneShown(false);
  }, []);
  // The restricted view replaces the thread pane (a withheld thread chosen, or the one open moved out of reach): the
  // detail it held goes, also one a read answered with since.
  const holdsDetail = useInbox((s) => s.detail !== null);
  useEffect(() => {
    if (restricted && holdsDetail) forgetDetail();
  }, [restricted, holdsDetail]);
  if (summary && restricted) return <RestrictedThread key={summary.id} thread={summary} />;
  return <ThreadPane />;
}

function RestrictedThread({ thread }: { thread: ThreadSummary }) {
  const pools = useTriage((s) => s.pools);
  const current = pools.find((p) => p.id === thread.poolId);
  const targets = pools.filter((p) => p.id !== thread.poolId);
  const [target, setTarget] = useState(targets[0]?.id ?? '');
  const [error, setError] = useState<string | null>(null);
  const [emergency, setEmergency] = useState(false);
  const topic = thread.topic && thread.topic in TOPIC_LABELS ? TOPIC_LABELS[thread.topic as Topic] : null;

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
    <article className="thread" aria-labelledby="restricted-subject">
      <header className="thread-header">
        <h2 id="restricted-subject" className="thread-subject">
          {thread.subject}
        </h2>
        <p>
          Topic: {topic ?? 'Not given'} · Pool: {current?.name ?? 'None'}
        </p>
      </header>
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
