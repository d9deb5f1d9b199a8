/** The signed-in person's own sign-in history ("account activity"). */
import { useEffect } from 'react';
import { loadActivity, useAudit } from '../../state/audit';
import { AuditTable, VerifyBlock } from './AuditPanel';

export function AccountActivityView() {
  const activity = useAudit((s) => s.activity);
  const error = useAudit((s) => s.activityError);

  useEffect(() => {
    void loadActivity();
  }, []);

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1 className="view-title">Account activity</h1>
          <p className="muted">
            Your sign-ins, sign-outs, locks and failed attempts on every device, newest first. If you see
            something you did not do, tell IT at once.
          </p>
        </div>
        <button type="button" className="button" onClick={() => void loadActivity()}>
          Refresh
        </button>
      </div>
      <div className="card">
        {error ? (
          <p className="inline-error" role="alert">
            {error}
          </p>
        ) : activity ? (
          <AuditTable entries={activity} caption="Your account activity" />
        ) : (
          <p aria-busy="true">Loading…</p>
        )}
      </div>
      <div className="card">
        <h2 className="section-title">Audit log integrity</h2>
        <p className="muted">Checks the tamper-evident hash chain of every audit event kept on this PC.</p>
        <VerifyBlock />
      </div>
    </div>
  );
}
