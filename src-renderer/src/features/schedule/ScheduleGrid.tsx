/**
 * Slots laid out by wall-clock minute from the providers' working hours at the clinic location (issue 13a): one column per provider (day view) or per day
 * (week view). Free slots are buttons that open the booking dialog; appointments open the appointment dialog.
 */
import { useId, useRef } from 'react';
import type { AppointmentView, ProviderView } from '../../../../src-shared/views';
import { APPOINTMENT_STATUS_LABEL } from '../../components/Badges';
import { instantsAtLocal } from '../../../../src-shared/clinic-time';
import { displayZone, hhmm, minuteLabel, minuteOfDay, zoneLabel } from '../../lib/time';
import { appointmentsOf, freeSlots, holdsSlot, type Slot } from './slots';
import { useGridKeyboard } from './useGridKeyboard';

/** Roving-tabindex cell attributes (useGridKeyboard.ts): one Tab stop, arrow keys between cells. */
const cell = (col: number, minute: number, key: string) => ({
  'data-grid-cell': '',
  'data-col': col,
  'data-minute': minute,
  'data-cell-key': key,
  tabIndex: -1,
});

export const PX_PER_MINUTE = 2;

export interface GridColumn {
  key: string;
  title: string;
  subtitle: string;
  provider: ProviderView;
  day: string;
  highlight?: boolean;
}

interface GridProps {
  columns: GridColumn[];
  appointments: AppointmentView[];
  canBook: boolean;
  onBook: (slot: Slot, provider: ProviderView) => void;
  onOpen: (appointment: AppointmentView) => void;
  label: string;
}

export function ScheduleGrid({ columns, appointments, canBook, onBook, onOpen, label }: GridProps) {
  const ref = useRef<HTMLDivElement>(null);
  const hintId = useId();
  useGridKeyboard(ref);
  if (columns.length === 0) return <p className="empty-state">No providers are set up yet.</p>;
  const startMinute = Math.min(...columns.map((c) => c.provider.dayStartMinute));
  const endMinute = Math.max(...columns.map((c) => c.provider.dayEndMinute));
  const height = (endMinute - startMinute) * PX_PER_MINUTE;
  const hours: number[] = [];
  for (let m = Math.ceil(startMinute / 60) * 60; m < endMinute; m += 60) hours.push(m);

  return (
    <div ref={ref} className="sgrid" role="region" aria-label={label} aria-describedby={hintId}>
      <p id={hintId} className="visually-hidden">
        Arrow keys move between slots and visits; Enter books a free slot or opens a visit.
      </p>
      <div
        className="sgrid-head"
        style={{ gridTemplateColumns: `64px repeat(${columns.length}, minmax(150px, 1fr))` }}
      >
        <div className="sgrid-corner">
          {zoneLabel(columns[0] ? `${columns[0].day}T12:00:00Z` : undefined)}
        </div>
        {columns.map((c) => (
          <div key={c.key} className={`sgrid-colhead${c.highlight ? ' sgrid-colhead-today' : ''}`}>
            <span className="sgrid-coltitle">{c.title}</span>
            <span className="sgrid-colsub">{c.subtitle}</span>
          </div>
        ))}
      </div>
      <div
        className="sgrid-body"
        style={{ gridTemplateColumns: `64px repeat(${columns.length}, minmax(150px, 1fr))` }}
      >
        <div className="sgrid-gutter" style={{ height }} aria-hidden="true">
          {hours.map((m) => (
            <span key={m} className="sgrid-hour" style={{ top: (m - startMinute) * PX_PER_MINUTE }}>
              {minuteLabel(m)}
            </span>
          ))}
        </div>
        {columns.map((c, i) => (
          <Column
            key={c.key}
            colIndex={i}
            column={c}
            appointments={appointmentsOf(appointments, c.provider.id, c.day)}
            gridStart={startMinute}
            height={height}
            canBook={canBook}
            onBook={onBook}
            onOpen={onOpen}
          />
        ))}
      </div>
    </div>
  );
}

function Column(props: {
  colIndex: number;
  column: GridColumn;
  appointments: AppointmentView[];
  gridStart: number;
  height: number;
  canBook: boolean;
  onBook: GridProps['onBook'];
  onOpen: GridProps['onOpen'];
}) {
  const { column, appointments, gridStart, height, canBook } = props;
  const { provider, day } = column;
  const free = freeSlots(provider, day, appointments);
  const active = appointments.filter(holdsSlot);
  const inactive = appointments.filter((a) => !holdsSlot(a));
  const top = (minute: number) => (minute - gridStart) * PX_PER_MINUTE;
  const slotHeight = provider.slotMinutes * PX_PER_MINUTE;
  const inactiveAt = (slot: Slot) => inactive.filter((a) => minuteOfDay(a.start) === slot.startMinute);
  const where = `${column.title}, ${column.subtitle}`;

  return (
    <div className={`sgrid-col${column.highlight ? ' sgrid-col-today' : ''}`} style={{ height }}>
      <div
        className="sgrid-offhours"
        style={{ top: 0, height: top(provider.dayStartMinute) }}
        aria-hidden="true"
      />
      {free.map((slot) => {
        const gone = inactiveAt(slot);
        // issue 13: a wall time repeated at a fall-back change is two slots: side by side, the zone named on each
        const twice = instantsAtLocal(day, slot.startMinute, displayZone());
        const half = twice.length === 2 ? (twice[0] === Date.parse(slot.start) ? 'first' : 'second') : null;
        const style = {
          top: top(slot.startMinute),
          height: slotHeight,
          ...(half === 'first' ? { right: '50%' } : half === 'second' ? { left: '50%' } : {}),
        };
        const text = half ? `${hhmm(slot.start)} ${zoneLabel(slot.start)} Free` : `${hhmm(slot.start)} Free`;
        return (
          <div key={slot.start} className="slot-row" style={style}>
            {canBook ? (
              <button
                type="button"
                {...cell(props.colIndex, slot.startMinute, `free ${props.colIndex} ${slot.start}`)}
                className="slot slot-free"
                aria-label={`${text}: book with ${provider.name}, ${where}`}
                onClick={() => props.onBook(slot, provider)}
              >
                <span className="slot-time">
                  {hhmm(slot.start)}
                  {half ? ` ${zoneLabel(slot.start)}` : ''}
                </span>
                <span className="slot-free-label">Free</span>
              </button>
            ) : (
              <div className="slot slot-free slot-readonly">
                <span className="slot-time">{hhmm(slot.start)}</span>
                <span className="slot-free-label">Free</span>
              </div>
            )}
            {gone.length > 0 ? (
              <InactiveChip a={gone[gone.length - 1]!} col={props.colIndex} onOpen={props.onOpen} />
            ) : null}
          </div>
        );
      })}
      {active.map((a) => {
        const startM = minuteOfDay(a.start);
        const minutes = Math.max(provider.slotMinutes, (Date.parse(a.end) - Date.parse(a.start)) / 60_000);
        const status = APPOINTMENT_STATUS_LABEL[a.status];
        // A block too short for two lines shows the flags on its one line, and no reason.
        const compact = minutes * PX_PER_MINUTE < 44;
        const flags = (
          <>
            {a.pending ? <span className="appt-flag appt-flag-pending">Not confirmed yet</span> : null}
            {a.status !== 'booked' ? <span className="appt-flag">{status}</span> : null}
            {a.virtualLink ? <span className="appt-flag">Virtual</span> : null}
          </>
        );
        return (
          <button
            key={a.id}
            type="button"
            {...cell(props.colIndex, startM, a.id)}
            className={`slot appt appt-${a.status}${a.pending ? ' appt-pending' : ''}${compact ? ' appt-compact' : ''}`}
            style={{ top: top(startM), height: minutes * PX_PER_MINUTE }}
            aria-label={`${hhmm(a.start)} ${a.patientName}, ${status}${a.pending ? ', not confirmed yet' : ''}${a.virtualLink ? ', virtual visit' : ''}, ${where}`}
            onClick={() => props.onOpen(a)}
          >
            <span className="appt-line">
              <span className="slot-time">{hhmm(a.start)}</span>
              <span className="appt-patient">{a.patientName}</span>
              {compact ? flags : null}
            </span>
            {compact ? null : (
              <span className="appt-line appt-sub">
                {flags}
                <span className="appt-reason">{a.reason}</span>
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}

function InactiveChip({ a, col, onOpen }: { a: AppointmentView; col: number; onOpen: GridProps['onOpen'] }) {
  const status = APPOINTMENT_STATUS_LABEL[a.status];
  return (
    <button
      type="button"
      {...cell(col, minuteOfDay(a.start), a.id)}
      className={`slot-chip appt-${a.status}`}
      aria-label={`${hhmm(a.start)} ${a.patientName}, ${status}`}
      onClick={() => onOpen(a)}
    >
      <span className="slot-chip-status">{status}</span>
      <span className="slot-chip-name">{a.patientName}</span>
    </button>
  );
}
