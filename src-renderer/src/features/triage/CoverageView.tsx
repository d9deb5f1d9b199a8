/**
 * Session 4, 14c (issue 14 §3): coverage. A clinician marks their absence (first and last local day away) with a
 * covering colleague; an admin marks one for any clinician. The server hands the absent clinician's open threads
 * to the colleague while the absence runs and back when it ends; each move is in the thread's audit trail.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { AbsenceView } from '../../../../src-shared/coverage';
import { call, errorMessage } from '../../api';
import { AdminList } from '../../components/AdminList';
import { FormError, InputField, SelectField } from '../../components/Field';
import { useData } from '../../state/data';
import { useReference } from '../../state/reference';
import { useSession } from '../../state/session';
import { announce } from '../../state/ui';

const PHASE_LABEL: Record<AbsenceView['phase'], string> = {
  scheduled: 'Starts later',
  active: 'Away now: threads with the colleague',
  ended: 'Ended: threads handed back',
};

export function CoverageView() {
  const me = useSession((s) => s.info?.staff ?? null);
  const staff = useReference((s) => s.staff);
  const today = useReference((s) => s.profile?.today ?? '');
  const version = useData((s) => s.version);
  const isAdmin = me?.role === 'admin';
  // Active clinicians only (review 7 U3: the core and the server refuse a deactivated one).
  const clinicians = staff.filter((s) => s.role === 'clinician' && s.active);
  const [absences, setAbsences] = useState<AbsenceView[] | null>(null);
  const [absent, setAbsent] = useState('');
  const [cover, setCover] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const absentId = absent || (isAdmin ? (clinicians[0]?.id ?? '') : (me?.id ?? ''));
  const colleagues = clinicians.filter((c) => c.id !== absentId);
  const coverId = cover && cover !== absentId ? cover : (colleagues[0]?.id ?? '');

  useEffect(() => {
    call('coverage.list', {}).then(setAbsences, (e) => setError(errorMessage(e)));
  }, [version]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const first = from || today;
    const last = to || first;
    setError(null);
    setBusy(true);
    try {
      const made = await call('coverage.set', {
        staffId: absentId,
        coverId,
        startDate: first,
        endDate: last,
      });
      announce(`Absence marked: ${made.staffName}, covered by ${made.coverName}.`);
      setAbsences(await call('coverage.list', {}));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function end(a: AbsenceView) {
    setError(null);
    try {
      await call('coverage.end', { absenceId: a.id });
      announce(`Absence of ${a.staffName} ended: threads handed back.`);
      setAbsences(await call('coverage.list', {}));
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1 className="view-title">Coverage</h1>
          <p className="muted">
            While a clinician is away, their open threads go to the covering colleague and come back when the
            absence ends. Days are the clinic’s local days.
          </p>
        </div>
      </div>
      <div className="settings-layout">
        <form className="card form" onSubmit={submit} noValidate aria-label="Mark an absence">
          <h2 className="section-title">Mark an absence</h2>
          <SelectField
            label="Absent clinician"
            value={absentId}
            disabled={!isAdmin}
            onChange={setAbsent}
            options={(isAdmin ? clinicians : clinicians.filter((c) => c.id === me?.id)).map((c) => ({
              value: c.id,
              label: c.displayName,
            }))}
          />
          <SelectField
            label="Covering colleague"
            value={coverId}
            onChange={setCover}
            options={colleagues.map((c) => ({ value: c.id, label: c.displayName }))}
          />
          <InputField label="First day away" type="date" value={from || today} onChange={setFrom} />
          <InputField label="Last day away" type="date" value={to || from || today} onChange={setTo} />
          <FormError error={error} />
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy || !absentId || !coverId}>
              {busy ? 'Saving…' : 'Mark absence'}
            </button>
          </div>
        </form>
        <section className="card" aria-labelledby="coverage-list-title">
          <h2 id="coverage-list-title" className="section-title">
            Absences
          </h2>
          <AdminList
            label="Absences"
            records={absences}
            empty="No absences marked."
            columns={[
              { header: 'Clinician', cell: (a) => a.staffName },
              { header: 'Covered by', cell: (a) => a.coverName },
              {
                header: 'Days',
                cell: (a) =>
                  `${a.startDate === a.endDate ? a.startDate : `${a.startDate} to ${a.endDate}`} (${a.timeZone})`,
              },
              { header: 'State', cell: (a) => PHASE_LABEL[a.phase] },
            ]}
            action={{
              text: 'End now',
              label: (a) => `End the absence of ${a.staffName} now`,
              when: (a) => a.phase !== 'ended' && (isAdmin || a.staffId === me?.id),
              onAction: (a) => void end(a),
            }}
          />
        </section>
      </div>
    </div>
  );
}
