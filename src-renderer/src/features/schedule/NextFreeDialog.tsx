/**
 * "Find next free slot" (issue 13 §5): for a visit type, across the providers who offer it and their locations,
 * within a date range and a time of day, the earliest free starts (schedule.nextFree: templates, exceptions,
 * bookings and the no-past-booking guardrail). Choosing one opens the booking dialog on it with the visit type
 * set, so the desk books it in one more step, through the same checks as any booking.
 */
import { useId, useState, type FormEvent } from 'react';
import type { FreeSlotView } from '../../../../src-shared/availability';
import type { ProviderView, VisitTypeView } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { Dialog } from '../../components/Dialog';
import { FormError, InputField, SelectField } from '../../components/Field';
import { addDays, clinicToday, dayLabel, hhmm, zoneLabel } from '../../lib/time';
import { useReference } from '../../state/reference';
import type { Slot } from './slots';

const WINDOWS = {
  any: { label: 'Any time', start: 0, end: 1440 },
  morning: { label: 'Mornings (before 12:00)', start: 0, end: 720 },
  afternoon: { label: 'Afternoons (12:00 to 17:00)', start: 720, end: 1020 },
  evening: { label: 'Evenings (from 17:00)', start: 1020, end: 1440 },
} as const;
type WindowKey = keyof typeof WINDOWS;

export function NextFreeDialog(p: {
  onClose: () => void;
  onChoose: (choice: { slot: Slot; provider: ProviderView; visitType: VisitTypeView }) => void;
}) {
  const visitTypes = useReference((s) => s.profile?.visitTypes ?? []);
  const providers = useReference((s) => s.providers);
  const [visitTypeId, setVisitTypeId] = useState(visitTypes[0]?.id ?? '');
  const [from, setFrom] = useState(clinicToday());
  const [to, setTo] = useState(addDays(clinicToday(), 13));
  const [timeOfDay, setTimeOfDay] = useState<WindowKey>('any');
  const [providerId, setProviderId] = useState('');
  const [results, setResults] = useState<FreeSlotView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const resultsId = useId();
  const visitType = visitTypes.find((t) => t.id === visitTypeId);
  const offering = providers.filter((pr) => visitType?.providerIds.includes(pr.id));

  async function search(e: FormEvent) {
    e.preventDefault();
    if (!visitType) {
      setError('Choose a visit type.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const w = WINDOWS[timeOfDay];
      setResults(
        await call('schedule.nextFree', {
          visitTypeId: visitType.id,
          fromDate: from,
          toDate: to,
          windowStart: w.start,
          windowEnd: w.end,
          ...(providerId ? { providerId } : {}),
          limit: 10,
        }),
      );
    } catch (err) {
      setResults(null);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  function choose(f: FreeSlotView) {
    const provider = providers.find((pr) => pr.id === f.providerId);
    if (!provider || !visitType) return;
    p.onChoose({
      provider,
      visitType,
      // The slot the booking dialog starts from; the visit type gives its length.
      slot: {
        providerId: f.providerId,
        day: f.date,
        startMinute: f.startMinute,
        start: f.start,
        end: new Date(Date.parse(f.start) + provider.slotMinutes * 60_000).toISOString(),
      },
    });
  }

  return (
    <Dialog title="Find next free slot" onClose={p.onClose}>
      <form className="form" onSubmit={search} noValidate>
        <SelectField
          label="Visit type"
          value={visitTypeId}
          onChange={(v) => {
            setVisitTypeId(v);
            setProviderId('');
            setResults(null);
          }}
          options={visitTypes.map((t) => ({ value: t.id, label: `${t.name} (${t.minutes} min)` }))}
        />
        <SelectField
          label="Provider"
          value={providerId}
          onChange={setProviderId}
          options={[
            { value: '', label: 'Any provider who offers it' },
            ...offering.map((pr) => ({ value: pr.id, label: pr.name })),
          ]}
        />
        <InputField label="From" type="date" value={from} onChange={setFrom} />
        <InputField label="To" type="date" value={to} onChange={setTo} />
        <SelectField
          label="Time of day"
          value={timeOfDay}
          onChange={(v) => setTimeOfDay(v as WindowKey)}
          options={(Object.keys(WINDOWS) as WindowKey[]).map((k) => ({ value: k, label: WINDOWS[k].label }))}
        />
        <FormError error={error} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={p.onClose}>
            Close
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Searching…' : 'Search'}
          </button>
        </div>
      </form>
      <section aria-labelledby={resultsId}>
        <h3 id={resultsId} className="section-title">
          Free slots
        </h3>
        <p className="hint" aria-live="polite">
          {results === null
            ? 'Choose a visit type, dates and time of day, then search.'
            : results.length === 0
              ? 'No free slot in these days and hours.'
              : `${results.length} earliest free ${results.length === 1 ? 'slot' : 'slots'}`}
        </p>
        {results && results.length > 0 ? (
          <ul className="choice-list">
            {results.map((f) => {
              const when = `${dayLabel(f.date)} ${hhmm(f.start, f.timeZone)}–${hhmm(f.end, f.timeZone)} ${zoneLabel(f.start, f.timeZone)}`;
              return (
                <li key={`${f.providerId} ${f.start}`}>
                  <button
                    type="button"
                    className="button"
                    aria-label={`Book ${when} with ${f.providerName}, ${f.locationName}`}
                    onClick={() => choose(f)}
                  >
                    {when} · {f.providerName} · {f.locationName}
                  </button>
                </li>
              );
            })}
          </ul>
        ) : null}
      </section>
    </Dialog>
  );
}
