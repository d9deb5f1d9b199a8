/**
 * After a lost booking race (issue 13 §7): the provider's other free times that day, so the desk books another
 * one without leaving the dialog (patient and reason are kept).
 */
import { useEffect, useId, useState } from 'react';
import type { ProviderView } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { hhmm, zoneLabel } from '../../lib/time';
import { phiEpoch } from '../../state/epoch';
import { availabilityIn, freeSlots, type Slot } from './slots';

export function OtherFreeSlot(p: {
  provider: ProviderView;
  day: string;
  /** The start of the slot that was lost (left out of the list). */
  taken: string;
  onChoose: (slot: Slot) => void;
}) {
  const [slots, setSlots] = useState<Slot[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const { provider, day, taken } = p;

  useEffect(() => {
    const started = phiEpoch();
    let stale = false;
    call('schedule.range', { from: day, days: 1, providerId: provider.id }).then(
      (view) => {
        if (stale || started !== phiEpoch()) return;
        setSlots(
          freeSlots(provider, day, view.appointments, {
            availability: availabilityIn(view, provider.id),
          }).filter((s) => s.start !== taken),
        );
      },
      (e) => {
        if (!stale) setError(errorMessage(e));
      },
    );
    return () => {
      stale = true;
    };
  }, [provider, day, taken]);

  return (
    <div className="field">
      <label htmlFor={id}>Another free time ({zoneLabel()})</label>
      <select
        id={id}
        value=""
        disabled={!slots || slots.length === 0}
        onChange={(e) => {
          const slot = slots?.find((s) => s.start === e.target.value);
          if (slot) p.onChoose(slot);
        }}
      >
        <option value="">
          {slots === null
            ? 'Loading free slots…'
            : slots.length
              ? 'Choose another free time'
              : 'No free slots'}
        </option>
        {(slots ?? []).map((s) => (
          <option key={s.start} value={s.start}>
            {hhmm(s.start)}–{hhmm(s.end)}
          </option>
        ))}
      </select>
      {error ? <p className="inline-error">{error}</p> : null}
    </div>
  );
}
