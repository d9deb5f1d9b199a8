/**
 * Issue 13 §5: the waitlist — patients who want an earlier visit. The desk adds a patient with what fits them
 * (visit type, preferred providers, time of day, a range of days; no free text) and takes one off; a freed slot is
 * offered to the matching patients from the appointment dialog (WaitlistOffer).
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { PatientView, WaitlistView } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { Dialog } from '../../components/Dialog';
import { FormError, InputField, SelectField } from '../../components/Field';
import { addDays, clinicToday } from '../../lib/time';
import { useData } from '../../state/data';
import { phiEpoch } from '../../state/epoch';
import { useReference } from '../../state/reference';
import { announce } from '../../state/ui';

type TimeOfDay = WaitlistView['timeOfDay'];

export function WaitlistDialog({ onClose }: { onClose: () => void }) {
  const providers = useReference((s) => s.providers);
  const visitTypes = useReference((s) => s.profile?.visitTypes ?? []);
  const version = useData((s) => s.version);
  const [entries, setEntries] = useState<WaitlistView[] | null>(null);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<PatientView[] | null>(null);
  const [patientId, setPatientId] = useState('');
  const [visitTypeId, setVisitTypeId] = useState('');
  const [providerIds, setProviderIds] = useState<string[]>([]);
  const [timeOfDay, setTimeOfDay] = useState<TimeOfDay>('any');
  const [fromDate, setFromDate] = useState(clinicToday());
  const [toDate, setToDate] = useState(addDays(clinicToday(), 28));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const started = phiEpoch();
    let stale = false;
    call('waitlist.list', {}).then(
      (list) => {
        if (!stale && started === phiEpoch()) setEntries(list);
      },
      (e) => {
        if (!stale) setError(errorMessage(e));
      },
    );
    return () => {
      stale = true;
    };
  }, [version]);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults(null);
      return;
    }
    const started = phiEpoch();
    let stale = false;
    const t = setTimeout(() => {
      call('patient.search', { query: q, limit: 8 }).then(
        (found) => {
          if (!stale && started === phiEpoch()) setResults(found);
        },
        (e) => {
          if (!stale) setError(errorMessage(e));
        },
      );
    }, 250);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [query]);

  async function add(e: FormEvent) {
    e.preventDefault();
    if (!patientId) {
      setError('Choose the patient first: search by name or MRN.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await call('waitlist.add', {
        patientId,
        visitTypeId: visitTypeId || null,
        providerIds,
        timeOfDay,
        fromDate,
        toDate,
      });
      const name = results?.find((p) => p.id === patientId);
      announce(`${name ? `${name.givenName} ${name.familyName}` : 'Patient'} added to the waitlist.`);
      setQuery('');
      setPatientId('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove(entry: WaitlistView) {
    setError(null);
    try {
      await call('waitlist.remove', { entryId: entry.id });
      announce(`${entry.patientName} taken off the waitlist.`);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <Dialog title="Waitlist" subtitle="Patients who want an earlier visit" onClose={onClose} size="large">
      <form className="form" onSubmit={add} aria-label="Add to waitlist" noValidate>
        <InputField
          label="Find patient (name or MRN)"
          type="search"
          autoComplete="off"
          value={query}
          maxLength={100}
          onChange={(v) => {
            setQuery(v);
            setPatientId('');
          }}
        />
        {results && results.length > 0 ? (
          <fieldset className="patient-results">
            <legend>Patient</legend>
            <ul className="choice-list">
              {results.map((p) => (
                <li key={p.id}>
                  <label className="choice">
                    <input
                      type="radio"
                      name="waitlist-patient"
                      checked={patientId === p.id}
                      onChange={() => setPatientId(p.id)}
                    />
                    <span className="choice-main">
                      {p.givenName} {p.familyName}
                    </span>
                    <span className="muted">{p.mrn}</span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        ) : results ? (
          <p className="hint">No patient found.</p>
        ) : null}
        <div className="field-row">
          <SelectField
            label="Visit type"
            compact
            value={visitTypeId}
            onChange={setVisitTypeId}
            options={[
              { value: '', label: 'Any' },
              ...visitTypes.map((t) => ({ value: t.id, label: `${t.name} (${t.minutes} min)` })),
            ]}
          />
          <SelectField
            label="Time of day"
            compact
            value={timeOfDay}
            onChange={(v) => setTimeOfDay(v as TimeOfDay)}
            options={[
              { value: 'any', label: 'Any time' },
              { value: 'morning', label: 'Morning (before 12:00)' },
              { value: 'afternoon', label: 'Afternoon (from 12:00)' },
            ]}
          />
          <InputField label="From day" compact type="date" value={fromDate} onChange={setFromDate} />
          <InputField label="To day" compact type="date" value={toDate} onChange={setToDate} />
        </div>
        <fieldset className="field-group">
          <legend>Preferred providers (none: any)</legend>
          {providers.map((p) => (
            <label key={p.id} className="checkbox">
              <input
                type="checkbox"
                checked={providerIds.includes(p.id)}
                onChange={(e) =>
                  setProviderIds((list) =>
                    e.target.checked ? [...list, p.id] : list.filter((x) => x !== p.id),
                  )
                }
              />
              {p.name}
            </label>
          ))}
        </fieldset>
        <FormError error={error} />
        <div className="dialog-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            Add to waitlist
          </button>
        </div>
      </form>
      <h3 className="section-title">Waiting</h3>
      {entries === null ? (
        <p aria-busy="true">Loading the waitlist…</p>
      ) : entries.length === 0 ? (
        <p className="muted">No one is waiting.</p>
      ) : (
        <ul className="choice-list" aria-label="Waiting patients">
          {entries.map((e) => (
            <li key={e.id}>
              <span className="choice-main">{e.patientName}</span>{' '}
              <span className="muted">
                {e.fromDate} to {e.toDate}
                {e.timeOfDay !== 'any' ? `, ${e.timeOfDay}` : ''}
                {e.pending ? ' · not confirmed yet' : ''}
              </span>{' '}
              <button type="button" className="button button-quiet" onClick={() => void remove(e)}>
                Remove {e.patientName} from the waitlist
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
