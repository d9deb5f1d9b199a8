/**
 * The schedule: a day with one column per provider, or a week of one provider. Times are the clinic location's
 * wall clock, with its zone named (issue 13a); Today is the clinic's today.
 */
import { useEffect, useState } from 'react';
import type { ProviderView, VisitTypeView } from '../../../../src-shared/views';
import { SelectField } from '../../components/Field';
import {
  addDays,
  clinicToday,
  dayLabel,
  displayZone,
  localDay,
  longDayLabel,
  mondayOf,
  zoneLabel,
} from '../../lib/time';
import { useData } from '../../state/data';
import { useReference } from '../../state/reference';
import { loadSchedule, scheduleKey, useSchedule, type ScheduleParams } from '../../state/schedule';
import { useSession } from '../../state/session';
import { setUi, useUi } from '../../state/ui';
import { BookDialog } from './BookDialog';
import { WaitlistDialog } from './WaitlistDialog';
import { NextFreeDialog } from './NextFreeDialog';
import { ScheduleGrid, type GridColumn } from './ScheduleGrid';
import { availabilityIn, type Slot } from './slots';

export function ScheduleView() {
  const mode = useUi((s) => s.scheduleMode);
  const date = useUi((s) => s.scheduleDate);
  const weekProviderId = useUi((s) => s.weekProviderId);
  const providers = useReference((s) => s.providers);
  const role = useSession((s) => s.info?.staff?.role);
  const version = useData((s) => s.version);
  const view = useSchedule((s) => s.view);
  const loadedKey = useSchedule((s) => s.key);
  const error = useSchedule((s) => s.error);
  const loading = useSchedule((s) => s.loading);
  const [booking, setBooking] = useState<{
    slot: Slot;
    provider: ProviderView;
    visitType?: VisitTypeView;
  } | null>(null);
  const [waitlistOpen, setWaitlistOpen] = useState(false);
  // session 4, 13c: "Find next free slot" (issue 13 §5)
  const [finding, setFinding] = useState(false);
  const canBook = role === 'receptionist' || role === 'admin';

  const weekProvider = providers.find((p) => p.id === weekProviderId) ?? providers[0];
  const params: ScheduleParams | null =
    mode === 'day'
      ? { from: date, days: 1 }
      : weekProvider
        ? { from: mondayOf(date), days: 7, providerId: weekProvider.id }
        : null;
  const key = params ? scheduleKey(params) : '';

  useEffect(() => {
    if (params) void loadSchedule(params);
  }, [key, version]);

  const today = clinicToday();
  const columns: GridColumn[] =
    mode === 'day'
      ? providers.map((p) => ({
          key: p.id,
          title: p.name,
          subtitle: `${p.specialty} · ${p.slotMinutes} min`,
          provider: p,
          day: date,
        }))
      : weekProvider
        ? Array.from({ length: 7 }, (_, i) => {
            const day = addDays(mondayOf(date), i);
            return {
              key: day,
              title: dayLabel(day),
              subtitle: weekSubtitle(day, day === today),
              provider: weekProvider,
              day,
              highlight: day === today,
            };
          })
        : [];

  const step = mode === 'day' ? 1 : 7;
  function weekSubtitle(day: string, isToday: boolean): string {
    const n = (view && loadedKey === key ? view.appointments : []).filter(
      (a) => localDay(a.start) === day && a.status !== 'cancelled',
    ).length;
    const booked = n === 0 ? 'No appointments' : `${n} ${n === 1 ? 'appointment' : 'appointments'}`;
    return isToday ? `Today · ${booked}` : booked;
  }
  const current = view && loadedKey === key ? view : null;
  const heading =
    mode === 'day'
      ? longDayLabel(date)
      : `Week of ${longDayLabel(mondayOf(date))}${weekProvider ? ` · ${weekProvider.name}` : ''}`;

  return (
    <div className="schedule">
      <div className="schedule-toolbar">
        <div className="segmented" role="group" aria-label="Schedule view">
          <button type="button" aria-pressed={mode === 'day'} onClick={() => setUi({ scheduleMode: 'day' })}>
            Day
          </button>
          <button
            type="button"
            aria-pressed={mode === 'week'}
            onClick={() => setUi({ scheduleMode: 'week' })}
          >
            Week
          </button>
        </div>
        <div className="button-group" role="group" aria-label="Change date">
          <button
            type="button"
            className="button"
            aria-label={mode === 'day' ? 'Previous day' : 'Previous week'}
            onClick={() => setUi({ scheduleDate: addDays(date, -step) })}
          >
            <span aria-hidden="true">‹</span>
          </button>
          <button type="button" className="button" onClick={() => setUi({ scheduleDate: clinicToday() })}>
            Today
          </button>
          <button
            type="button"
            className="button"
            aria-label={mode === 'day' ? 'Next day' : 'Next week'}
            onClick={() => setUi({ scheduleDate: addDays(date, step) })}
          >
            <span aria-hidden="true">›</span>
          </button>
        </div>
        <div className="inline-field">
          <label htmlFor="schedule-date">Date</label>
          <input
            id="schedule-date"
            type="date"
            value={date}
            onChange={(e) => {
              if (/^\d{4}-\d{2}-\d{2}$/.test(e.target.value)) setUi({ scheduleDate: e.target.value });
            }}
          />
        </div>
        {mode === 'week' ? (
          <SelectField
            inline
            label="Provider"
            value={weekProvider?.id ?? ''}
            onChange={(id) => setUi({ weekProviderId: id })}
            options={providers.map((p) => ({ value: p.id, label: p.name }))}
          />
        ) : null}
        {canBook ? (
          <>
            <button type="button" className="button" onClick={() => setWaitlistOpen(true)}>
              Waitlist
            </button>
            <button
              type="button"
              className="button schedule-find"
              aria-label="Find next free slot"
              onClick={() => setFinding(true)}
            >
              {/* A short label where the window is low (200% zoom), so the toolbar stays one row. */}
              <span className="schedule-find-long">Find next free slot</span>
              <span className="schedule-find-short">Next free</span>
            </button>
          </>
        ) : null}
        <ul className="legend" aria-label="Legend">
          <li>
            <span className="legend-swatch legend-free" aria-hidden="true" /> Free
          </li>
          <li>
            <span className="legend-swatch legend-booked" aria-hidden="true" /> Booked
          </li>
          <li>
            <span className="legend-swatch legend-checked" aria-hidden="true" /> Checked in
          </li>
          <li>
            <span className="legend-swatch legend-pending" aria-hidden="true" /> Not confirmed yet
          </li>
          <li>
            <span className="legend-swatch legend-off" aria-hidden="true" /> Not bookable (lunch, admin time,
            leave, holiday)
          </li>
        </ul>
      </div>
      <div className="schedule-heading">
        <h2 className="view-title">{heading}</h2>
        <p className="muted">
          Times in {current?.location.name ?? 'clinic'} local time: {displayZone()} (
          {zoneLabel(`${date}T12:00:00Z`)}){loading ? ' · Updating…' : ''}
          {!canBook ? ' · View only: booking is done at the front desk' : ''}
        </p>
      </div>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
      {current ? (
        <ScheduleGrid
          label={heading}
          columns={columns}
          appointments={current.appointments}
          availabilityOf={(providerId) => availabilityIn(current, providerId)}
          canBook={canBook}
          onBook={(slot, provider) => setBooking({ slot, provider })}
          onOpen={(a) => setUi({ appointmentId: a.id })}
        />
      ) : !error ? (
        <p className="empty-state" aria-busy="true">
          Loading schedule…
        </p>
      ) : null}
      {booking ? (
        <BookDialog
          slot={booking.slot}
          provider={booking.provider}
          {...(booking.visitType ? { visitType: booking.visitType } : {})}
          onClose={() => setBooking(null)}
        />
      ) : null}
      {finding ? (
        <NextFreeDialog
          onClose={() => setFinding(false)}
          onChoose={(choice) => {
            setFinding(false);
            setBooking(choice);
          }}
        />
      ) : null}
      {waitlistOpen ? <WaitlistDialog onClose={() => setWaitlistOpen(false)} /> : null}
    </div>
  );
}
