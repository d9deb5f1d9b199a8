/** Book a free slot: find the patient, give a reason, choose in person or virtual. */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { PatientView, ProviderView, VisitTypeView } from '../../../../src-shared/views';
import { call, errorCode, errorMessage } from '../../api';
import { Dialog } from '../../components/Dialog';
import { dayLabel, hhmm, zoneLabel } from '../../lib/time';
import { phiEpoch } from '../../state/epoch';
import { announce } from '../../state/ui';
import { awaitVerdict, NOT_CONFIRMED_YET } from './confirm';
import { OtherFreeSlot } from './OtherFreeSlot';
import { OverlapWarning } from './OverlapWarning';
import {
  NO_REPEAT,
  OccurrenceList,
  RepeatFields,
  seriesFieldsOf,
  useSeriesPreview,
  type RepeatPattern,
} from './SeriesFields';
import { VisitTypeField } from './VisitTypeField';
import type { Slot } from './slots';

export const SLOT_TAKEN = 'This slot was booked at another desk. Pick another free slot.';

export function BookDialog({
  slot: offered,
  provider,
  onClose,
}: {
  slot: Slot;
  provider: ProviderView;
  onClose: () => void;
}) {
  // issue 13b: after a lost race the desk picks another free time here, keeping patient and reason.
  const [slot, setSlot] = useState<Slot>(offered);
  const [lostRace, setLostRace] = useState(false);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<PatientView[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [patientId, setPatientId] = useState('');
  const [reason, setReason] = useState('');
  const [virtual, setVirtual] = useState(false);
  // issue 13a: a second visit of the same patient at this time needs a reason
  const [overlapReason, setOverlapReason] = useState('');
  const [overlapNeeded, setOverlapNeeded] = useState(false);
  // issue 13a: booking by visit type takes the type's length from the chosen slot
  const [visitType, setVisitType] = useState<VisitTypeView | null>(null);
  const end = visitType
    ? new Date(Date.parse(slot.start) + visitType.minutes * 60_000).toISOString()
    : slot.end;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // issue 13 §4: a recurring series from this slot; the visits that cannot be booked are shown first
  const [repeat, setRepeat] = useState(false);
  const [pattern, setPattern] = useState<RepeatPattern>(NO_REPEAT);
  const [unbookable, setUnbookable] = useState<number>(0);
  const seriesInput =
    repeat && patientId && (pattern.ends === 'count' || pattern.until)
      ? {
          patientId,
          providerId: slot.providerId,
          start: slot.start,
          end,
          ...seriesFieldsOf(pattern),
          ...(visitType ? { visitTypeId: visitType.id } : {}),
        }
      : null;
  const preview = useSeriesPreview(seriesInput);
  const searchRef = useRef<HTMLInputElement>(null);
  const ids = { search: useId(), reason: useId(), virtual: useId(), results: useId() };

  useEffect(() => searchRef.current?.focus(), []);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults(null);
      return;
    }
    const started = phiEpoch();
    let stale = false;
    const t = setTimeout(async () => {
      setSearching(true);
      try {
        const found = await call('patient.search', { query: q, limit: 12 });
        if (!stale && started === phiEpoch()) setResults(found);
      } catch (e) {
        if (!stale) setError(errorMessage(e));
      } finally {
        if (!stale) setSearching(false);
      }
    }, 250);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [query]);

  /** issue 13 §4: book the series; with visits that cannot be booked, only once the person agreed. */
  async function bookSeries(skipConflicts: boolean) {
    if (!seriesInput) {
      setError(patientId ? 'Say when the series ends.' : 'Choose the patient first: search by name or MRN.');
      return;
    }
    const bad = preview.checks?.filter((c) => c.problem !== null).length ?? 0;
    if (bad > 0 && !skipConflicts) {
      setUnbookable(bad);
      setError(
        `${bad} of ${preview.checks!.length} visits cannot be booked (listed above). Book the other ${preview.checks!.length - bad}, or change the series.`,
      );
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const booked = await call('series.book', {
        ...seriesInput,
        reason: reason.trim(),
        virtual,
        skipConflicts,
      });
      const verdict = await awaitVerdict(booked.appointmentIds[0]!);
      if (verdict.outcome === 'refused') {
        setError(verdict.message);
        setBusy(false);
        return;
      }
      announce(
        `Series booked: ${booked.appointmentIds.length} visits with ${provider.name}` +
          (booked.skipped.length > 0 ? `, ${booked.skipped.length} left out.` : '.') +
          (verdict.outcome === 'confirmed' ? '' : ` ${NOT_CONFIRMED_YET}`),
      );
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (repeat) {
      await bookSeries(false);
      return;
    }
    if (!patientId) {
      setError('Choose the patient first: search by name or MRN.');
      searchRef.current?.focus();
      return;
    }
    if (overlapNeeded && !overlapReason.trim()) {
      setError('This patient already has a visit at this time: give a reason to book both.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { appointmentId } = await call('appointment.book', {
        ...(overlapNeeded ? { overlapReason: overlapReason.trim() } : {}),
        ...(visitType ? { visitTypeId: visitType.id } : {}),
        patientId,
        providerId: slot.providerId,
        start: slot.start,
        end,
        reason: reason.trim(),
        virtual,
      });
      // Wait (≤ 1 s) for the server's verdict with the dialog open: a lost race is told here (issue 13 §7).
      const verdict = await awaitVerdict(appointmentId);
      if (verdict.outcome === 'refused') {
        setLostRace(verdict.kind === 'conflict');
        setError(verdict.kind === 'conflict' ? SLOT_TAKEN : verdict.message);
        setBusy(false);
        return;
      }
      announce(
        verdict.outcome === 'confirmed'
          ? `Appointment booked for ${hhmm(slot.start)} ${zoneLabel(slot.start)} with ${provider.name}.`
          : `Appointment for ${hhmm(slot.start)} ${zoneLabel(slot.start)} with ${provider.name}: ${NOT_CONFIRMED_YET}`,
      );
      onClose();
    } catch (err) {
      const taken = errorCode(err) === 'CONFLICT';
      setLostRace(taken);
      setError(taken ? SLOT_TAKEN : errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title="Book appointment"
      subtitle={`${provider.name} · ${dayLabel(slot.day)} · ${hhmm(slot.start)}–${hhmm(end)} ${zoneLabel(slot.start)}`}
      onClose={onClose}
    >
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={ids.search}>Find patient (name or MRN)</label>
          <input
            ref={searchRef}
            id={ids.search}
            type="search"
            autoComplete="off"
            value={query}
            maxLength={100}
            aria-describedby={ids.results}
            onChange={(e) => {
              setQuery(e.target.value);
              setPatientId('');
            }}
          />
        </div>
        <fieldset className="patient-results">
          <legend>Patient</legend>
          <p id={ids.results} className="hint" aria-live="polite">
            {searching
              ? 'Searching…'
              : results === null
                ? 'Type a name (First Last or Last, First), a date of birth, a phone number or an MRN.'
                : results.length === 0
                  ? 'No patient found.'
                  : `${results.length} found`}
          </p>
          {results && results.length > 0 ? (
            <ul className="choice-list">
              {results.map((p) => (
                <li key={p.id}>
                  <label className="choice">
                    <input
                      type="radio"
                      name="patient"
                      value={p.id}
                      checked={patientId === p.id}
                      onChange={() => setPatientId(p.id)}
                    />
                    <span className="choice-main">
                      {p.givenName} {p.familyName}
                    </span>
                    <span className="muted">
                      {p.mrn} · born {p.birthDate}
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          ) : null}
        </fieldset>
        <VisitTypeField
          provider={provider}
          value={visitType?.id ?? ''}
          onChange={(t) => {
            setVisitType(t);
            if (t && !reason.trim()) setReason(t.name);
          }}
        />
        <OverlapWarning
          patientId={patientId}
          start={slot.start}
          end={end}
          reason={overlapReason}
          onReason={setOverlapReason}
          onNeeded={setOverlapNeeded}
        />
        <div className="field">
          <label htmlFor={ids.reason}>Reason for visit</label>
          <input id={ids.reason} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        </div>
        <label className="checkbox" htmlFor={ids.virtual}>
          <input
            id={ids.virtual}
            type="checkbox"
            checked={virtual}
            onChange={(e) => setVirtual(e.target.checked)}
          />
          Virtual visit (a video link is created)
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={repeat}
            onChange={(e) => {
              setRepeat(e.target.checked);
              setUnbookable(0);
            }}
          />
          Repeat this visit
        </label>
        {repeat ? (
          <>
            <RepeatFields
              value={pattern}
              onChange={(v) => {
                setPattern(v);
                setUnbookable(0);
              }}
            />
            {seriesInput ? <OccurrenceList checks={preview.checks} error={preview.error} /> : null}
          </>
        ) : null}
        <div className="form-error" role="alert">
          {error ? <p>{error}</p> : null}
        </div>
        {repeat && unbookable > 0 && preview.checks ? (
          <div className="dialog-actions dialog-actions-start">
            <button type="button" className="button" disabled={busy} onClick={() => void bookSeries(true)}>
              Book the {preview.checks.length - unbookable} free visits
            </button>
          </div>
        ) : null}
        {lostRace ? (
          <OtherFreeSlot
            provider={provider}
            day={slot.day}
            taken={slot.start}
            onChoose={(s) => {
              setSlot(s);
              setLostRace(false);
              setError(null);
            }}
          />
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Booking…' : repeat ? 'Book series' : 'Book appointment'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
