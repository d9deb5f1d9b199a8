/**
 * issue 14a: emergency access ("break-glass", HIPAA 164.312(a)(2)(ii)). The reason is mandatory; the access lasts
 * the clinic-set time (60 minutes by default), every read under it is flagged in the audit trail, and the admins
 * are alerted.
 */
import { useEffect, useState } from 'react';
import { call, errorMessage } from '../../api';
import { Dialog } from '../../components/Dialog';
import { useInbox } from '../../state/inbox';
import { dropAccess, grantAccess } from '../../state/triage';
import { BREAK_GLASS_DEFAULT_MINUTES } from '../../../../src-shared/triage';
import { announce } from '../../state/ui';

export function BreakGlassDialog({ threadId, onClose }: { threadId: string; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Session 4, 14c: the clinic's time, as synced from the server (an admin sets it).
  const [minutes, setMinutes] = useState(BREAK_GLASS_DEFAULT_MINUTES);
  useEffect(() => {
    call('clinic.settings', {}).then(
      (s) => setMinutes(s.breakGlassMinutes),
      () => undefined,
    );
  }, []);
  const submit = async () => {
    if (reason.trim().length < 10) {
      setError('State the reason for emergency access (at least 10 characters).');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await call('breakGlass.open', { threadId, reason: reason.trim() });
      // A refusal shown before the access (the thread view asked first) is not about the access now open.
      useInbox.setState({ detail: null, detailError: null });
      grantAccess(threadId);
      // The core refuses reads once the access ends (its clock); the screen lets go of the record then too.
      setTimeout(() => {
        dropAccess(threadId);
        if (useInbox.getState().detail?.thread.id === threadId) useInbox.setState({ detail: null });
      }, minutes * 60_000);
      announce('Emergency access opened. Every read is recorded and reviewed by an admin.');
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Emergency access"
      subtitle={`Opens this record outside your role for ${minutes} minutes. Every read is recorded and an admin reviews it.`}
      onClose={onClose}
      size="small"
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={busy}
            onClick={() => void submit()}
          >
            Open record
          </button>
        </>
      }
    >
      <div className="field">
        <label htmlFor="break-glass-reason">Reason (required)</label>
        <textarea
          id="break-glass-reason"
          value={reason}
          maxLength={500}
          rows={3}
          required
          aria-describedby={error ? 'break-glass-error' : undefined}
          onChange={(e) => setReason(e.target.value)}
        />
      </div>
      {error ? (
        <p id="break-glass-error" className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
    </Dialog>
  );
}
