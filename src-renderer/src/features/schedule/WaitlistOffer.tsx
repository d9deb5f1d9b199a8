/**
 * Issue 13 §5: a slot just freed (a visit cancelled or moved) is offered to the waitlisted patients it fits
 * (waitlist.offers: preferred provider, visit type, time of day, date range). Booking one of them is one action
 * (appointment.book with the entry's id), which takes the entry off the waitlist in the same change.
 */
import { useEffect, useState } from 'react';
import type { WaitlistView } from '../../../../src-shared/views';
import { call, errorMessage } from '../../api';
import { hhmm, zoneLabel } from '../../lib/time';
import { phiEpoch } from '../../state/epoch';
import { useReference } from '../../state/reference';
import { announce } from '../../state/ui';
import { confirmOrThrow, NOT_CONFIRMED_YET } from './confirm';

export interface FreedSlot {
  providerId: string;
  start: string;
  end: string;
}

export function WaitlistOffer({ slot }: { slot: FreedSlot }) {
  const visitTypes = useReference((s) => s.profile?.visitTypes ?? []);
  const [offers, setOffers] = useState<WaitlistView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [booked, setBooked] = useState<string | null>(null);

  useEffect(() => {
    const started = phiEpoch();
    let stale = false;
    call('waitlist.offers', slot).then(
      (found) => {
        if (!stale && started === phiEpoch()) setOffers(found);
      },
      (e) => {
        if (!stale) setError(errorMessage(e));
      },
    );
    return () => {
      stale = true;
    };
  }, [slot.providerId, slot.start, slot.end]);

  async function book(entry: WaitlistView) {
    setBusy(true);
    setError(null);
    const type = entry.visitTypeId ? visitTypes.find((t) => t.id === entry.visitTypeId) : undefined;
    const end = type ? new Date(Date.parse(slot.start) + type.minutes * 60_000).toISOString() : slot.end;
    try {
      const { appointmentId } = await call('appointment.book', {
        patientId: entry.patientId,
        providerId: slot.providerId,
        start: slot.start,
        end,
        reason: type?.name ?? 'From the waitlist',
        virtual: false,
        waitlistEntryId: entry.id,
        ...(type ? { visitTypeId: type.id } : {}),
      });
      const confirmed = await confirmOrThrow(appointmentId);
      setBooked(entry.patientName);
      announce(
        `${entry.patientName} booked from the waitlist at ${hhmm(slot.start)} ${zoneLabel(slot.start)}.` +
          (confirmed ? '' : ` ${NOT_CONFIRMED_YET}`),
      );
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card subform" aria-label="Offer to waitlist">
      <h3 className="section-title">
        Offer {hhmm(slot.start)} {zoneLabel(slot.start)} to the waitlist
      </h3>
      {booked ? (
        <p role="status">{booked} is booked into this time and off the waitlist.</p>
      ) : offers === null ? (
        error ? null : (
          <p aria-busy="true">Looking for waitlisted patients…</p>
        )
      ) : offers.length === 0 ? (
        <p className="muted">No one on the waitlist fits this time.</p>
      ) : (
        <ul className="choice-list">
          {offers.map((o) => (
            <li key={o.id}>
              <span className="choice-main">{o.patientName}</span>{' '}
              <span className="muted">
                waiting for {o.fromDate} to {o.toDate}
                {o.timeOfDay !== 'any' ? `, ${o.timeOfDay}` : ''}
              </span>{' '}
              <button type="button" className="button" disabled={busy} onClick={() => void book(o)}>
                Book {o.patientName}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
