/**
 * issue 14a: the admins' break-glass report: every emergency access (who, which thread, the stated reason, when,
 * how many reads under it), each acknowledged by an admin after review.
 */
import { useEffect, useState } from 'react';
import type { BreakGlassGrant } from '../../../../src-shared/triage';
import { call, errorMessage } from '../../api';
import { announce } from '../../state/ui';

export function BreakGlassReport() {
  const [grants, setGrants] = useState<BreakGlassGrant[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    try {
      setGrants(await call('admin.breakGlassReport', {}));
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);
  const acknowledge = async (grantId: string) => {
    try {
      await call('admin.acknowledgeBreakGlass', { grantId });
      announce('Emergency access acknowledged.');
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const open = grants?.filter((g) => g.acknowledgedAt === null).length ?? 0;
  return (
    <section className="settings" aria-labelledby="break-glass-title">
      <h1 id="break-glass-title">Emergency access</h1>
      <p>
        {grants === null
          ? 'Loading…'
          : `${grants.length} emergency ${grants.length === 1 ? 'access' : 'accesses'}, ${open} to review.`}
      </p>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
      {grants && grants.length > 0 ? (
        <table className="report-table">
          <caption className="visually-hidden">Emergency accesses, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Opened</th>
              <th scope="col">Staff</th>
              <th scope="col">Record</th>
              <th scope="col">Reason</th>
              <th scope="col">Reads</th>
              <th scope="col">Served by server</th>
              <th scope="col">Review</th>
            </tr>
          </thead>
          <tbody>
            {grants.map((g) => (
              <tr key={g.id}>
                <td>{g.openedAt.slice(0, 16).replace('T', ' ')} UTC</td>
                <td>
                  {g.staffName ?? g.staffId}
                  {g.role ? ` (${g.role})` : ''}
                </td>
                <td>Thread {g.entityId}</td>
                <td>{g.reason}</td>
                <td>{g.reads}</td>
                <td>{g.served}</td>
                <td>
                  {g.acknowledgedAt ? (
                    `Acknowledged ${g.acknowledgedAt.slice(0, 16).replace('T', ' ')} UTC`
                  ) : (
                    <button type="button" className="button" onClick={() => void acknowledge(g.id)}>
                      Acknowledge
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
