/** One appointment: details and the front desk's actions (check in, no-show, reschedule, cancel, virtual link). */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { CANCEL_CODES, type CancelCode } from '../../../../src-shared/domain';
import { CANCEL_CODE_LABEL } from '../../../../src-shared/cancel-codes';
import type { TRANSITIONS } from '../../../../src-shared/schedule-rules';
import type { AppointmentView } from '../../../../src-shared/views';
import { call, errorCode, errorMessage } from '../../api';
import { AppointmentStatusBadge } from '../../components/Badges';
import { Dialog } from '../../components/Dialog';
import { SelectField } from '../../components/Field';
import { clinicNow, dayLabel, displayZone, hhmm, localDay, zoneLabel } from '../../lib/time';
import { useData } from '../../state/data';
import { phiEpoch } from '../../state/epoch';
import { useReference } from '../../state/reference';
import { useSession } from '../../state/session';
import { announce, setUi } from '../../state/ui';
import { SLOT_TAKEN } from './BookDialog';
import { confirmOrThrow, NOT_CONFIRMED_YET } from './confirm';
import { useFocusNeverLost } from './keepFocus';
import { availabilityIn, freeSlots, type Slot } from './slots';
import { OverlapWarning } from './OverlapWarning';
import { allowedNow, VisitFlowActions } from './VisitFlowActions';
import { VirtualVisitPanel } from './VirtualVisitPanel';
import { WaitlistOffer, type FreedSlot } from './WaitlistOffer';

/**
 * The front desk's operations an appointment allows now: the same rules the core and the server apply
 * (src-shared/schedule-rules.ts), with the clinic's clock and zone (check-in only on the visit's day, no-show
 * only once it has started).
 */
const can = (op: keyof typeof TRANSITIONS, appt: AppointmentView): boolean => allowedNow(op, appt);

export function AppointmentDialog({
  appointmentId,
  onClose,
}: {
  appointmentId: string;
  onClose: () => void;
}) {
  const role = useSession((s) => s.info?.staff?.role);
  const providers = useReference((s) => s.providers);
  const version = useData((s) => s.version);
  const [appt, setAppt] = useState<AppointmentView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<'view' | 'cancel' | 'reschedule'>('view');
  const [busy, setBusy] = useState(false);
  // issue 13 §5: the slot this dialog just freed (a cancellation, a move), offered to the waitlist
  const [freed, setFreed] = useState<FreedSlot | null>(null);
  // issue 13 §4: a series move refused because some visits cannot be moved: the person may move the others
  const [moveAnyway, setMoveAnyway] = useState<{ slot: Slot; scope: 'following' | 'all' } | null>(null);
  const frontDesk = role === 'receptionist' || role === 'admin';
  useFocusNeverLost();

  useEffect(() => {
    const started = phiEpoch();
    let stale = false;
    call('appointment.get', { appointmentId }).then(
      (a) => {
        if (!stale && started === phiEpoch()) setAppt(a);
      },
      (e) => {
        if (!stale) setLoadError(errorMessage(e));
      },
    );
    return () => {
      stale = true;
    };
  }, [appointmentId, version]);

  const provider = providers.find((p) => p.id === appt?.providerId);

  async function act(label: string, fn: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await fn();
      announce(label);
      setMode('view');
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  }

  /** issue 13 §4: move this and the following visits (or all) to the chosen time; the dialog then shows the new one. */
  async function moveSeries(slot: Slot, scope: 'following' | 'all', skipConflicts: boolean): Promise<void> {
    const moved = await call('series.reschedule', {
      appointmentId,
      scope,
      providerId: slot.providerId,
      start: slot.start,
      end: slot.end,
      skipConflicts,
    });
    const first = moved.appointmentIds[0]!;
    const confirmed = await confirmOrThrow(first);
    announce(
      `${moved.appointmentIds.length} visits moved, from ${dayLabel(slot.day)} ${hhmm(slot.start)} ${zoneLabel(slot.start)}` +
        (moved.skipped.length > 0
          ? `; ${moved.skipped.length} could not be moved and were cancelled.`
          : '.') +
        (confirmed ? '' : ` ${NOT_CONFIRMED_YET}`),
    );
    setMode('view');
  }

  const title = appt ? `${appt.patientName}` : 'Appointment';
  const subtitle = appt
    ? `${dayLabel(appt.start)} · ${hhmm(appt.start)}–${hhmm(appt.end)} ${zoneLabel(appt.start)} · ${provider?.name ?? 'Provider'}`
    : undefined;

  return (
    <Dialog title={title} subtitle={subtitle} onClose={onClose}>
      {!appt ? (
        loadError ? (
          <p className="inline-error" role="alert">
            {loadError}
          </p>
        ) : (
          <p aria-busy="true">Loading appointment…</p>
        )
      ) : (
        <div className="appt-detail">
          <dl className="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <AppointmentStatusBadge status={appt.status} />
                {appt.pending ? <span className="badge badge-pending">Not confirmed yet</span> : null}
              </dd>
            </div>
            <div>
              <dt>Reason</dt>
              <dd>{appt.reason || '—'}</dd>
            </div>
            {appt.cancelReason ? (
              <div>
                <dt>Cancellation reason</dt>
                <dd>{appt.cancelReason}</dd>
              </div>
            ) : null}
            {appt.overlapReason ? (
              <div>
                <dt>Booked despite an overlapping visit</dt>
                <dd>{appt.overlapReason}</dd>
              </div>
            ) : null}
            <div>
              <dt>Visit</dt>
              <dd>{appt.virtualLink ? 'Virtual (video)' : 'In person'}</dd>
            </div>
          </dl>

          {mode === 'view' ? (
            <VirtualVisitPanel appt={appt} frontDesk={frontDesk} canChange={can('reschedule', appt)} />
          ) : null}
          {mode === 'view' ? (
            <div
              className="dialog-actions dialog-actions-start"
              role="group"
              aria-label="Appointment actions"
            >
              {frontDesk && can('checkIn', appt) ? (
                <button
                  type="button"
                  className="button button-primary"
                  disabled={busy}
                  onClick={() =>
                    void act('Patient checked in.', () => call('appointment.checkIn', { appointmentId }))
                  }
                >
                  Check in
                </button>
              ) : null}
              {frontDesk && can('noShow', appt) ? (
                <button
                  type="button"
                  className="button"
                  disabled={busy}
                  onClick={() =>
                    void act('Marked as no-show.', () => call('appointment.noShow', { appointmentId }))
                  }
                >
                  No-show
                </button>
              ) : null}
              <VisitFlowActions appt={appt} frontDesk={frontDesk} busy={busy} act={act} />
              {frontDesk && can('reschedule', appt) ? (
                <button type="button" className="button" onClick={() => setMode('reschedule')}>
                  Reschedule
                </button>
              ) : null}
              {frontDesk && can('cancel', appt) ? (
                <button type="button" className="button button-danger" onClick={() => setMode('cancel')}>
                  Cancel appointment
                </button>
              ) : null}
              {appt.virtualLink ? (
                <button
                  type="button"
                  className="button"
                  disabled={busy}
                  onClick={() =>
                    void act('Virtual visit opened in the browser.', () =>
                      call('appointment.openVirtualLink', { appointmentId }),
                    )
                  }
                >
                  Open virtual visit
                </button>
              ) : null}
              <button
                type="button"
                className="button button-quiet"
                onClick={() => setUi({ patientId: appt.patientId })}
              >
                Patient panel
              </button>
              <button
                type="button"
                className="button button-quiet"
                onClick={() => setUi({ auditTarget: { entityType: 'appointment', entityId: appointmentId } })}
              >
                Audit trail
              </button>
            </div>
          ) : null}

          {mode === 'view' && frontDesk && offerSlot(appt, freed) ? (
            <WaitlistOffer slot={offerSlot(appt, freed)!} />
          ) : null}
          {mode === 'cancel' ? (
            <CancelForm
              busy={busy}
              inSeries={Boolean(appt.seriesId)}
              onBack={() => setMode('view')}
              onCancel={(code, details, scope) =>
                act(
                  scope === 'one' ? 'Appointment cancelled.' : 'Visits of the series cancelled.',
                  async () => {
                    if (appt.seriesId) {
                      // issue 13 §4: one visit (EXDATE), this and the following ones, or the whole series
                      await call('series.cancel', {
                        appointmentId,
                        scope,
                        code,
                        ...(details ? { reason: details } : {}),
                      });
                    } else {
                      await call('appointment.cancel', {
                        appointmentId,
                        code,
                        ...(details ? { reason: details } : {}),
                      });
                    }
                    // issue 13b: the server's verdict, awaited with the dialog open.
                    if (!(await confirmOrThrow(appointmentId))) announce(NOT_CONFIRMED_YET);
                    setFreed({ providerId: appt.providerId, start: appt.start, end: appt.end });
                  },
                )
              }
            />
          ) : null}
          {mode === 'reschedule' && provider ? (
            <RescheduleForm
              appt={appt}
              busy={busy}
              onBack={() => setMode('view')}
              onMove={async (slot, overlapReason, scope) => {
                setBusy(true);
                setError(null);
                setMoveAnyway(null);
                const before = { providerId: appt.providerId, start: appt.start, end: appt.end };
                if (scope !== 'one') {
                  // issue 13 §4: this and the following visits, or all: the series is split at the first one
                  try {
                    await moveSeries(slot, scope, false);
                    setFreed(before);
                  } catch (e) {
                    setError(errorMessage(e));
                    if (errorCode(e) === 'CONFLICT') setMoveAnyway({ slot, scope });
                  } finally {
                    setBusy(false);
                  }
                  return;
                }
                try {
                  await call('appointment.reschedule', {
                    appointmentId,
                    providerId: slot.providerId,
                    start: slot.start,
                    end: slot.end,
                    ...(overlapReason ? { overlapReason } : {}),
                  });
                  // issue 13b: the server's verdict, awaited with the dialog open (a lost race is told here).
                  const confirmed = await confirmOrThrow(appointmentId);
                  announce(
                    `Appointment moved to ${dayLabel(slot.day)} ${hhmm(slot.start)} ${zoneLabel(slot.start)}.` +
                      (confirmed ? '' : ` ${NOT_CONFIRMED_YET}`),
                  );
                  setFreed(before);
                  setMode('view');
                } catch (e) {
                  setError(errorCode(e) === 'CONFLICT' ? SLOT_TAKEN : errorMessage(e));
                } finally {
                  setBusy(false);
                }
              }}
            />
          ) : null}
          <div className="form-error" role="alert">
            {error ? <p>{error}</p> : null}
          </div>
          {moveAnyway ? (
            <div className="dialog-actions dialog-actions-start">
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => {
                  setBusy(true);
                  setError(null);
                  moveSeries(moveAnyway.slot, moveAnyway.scope, true)
                    .then(() => setMoveAnyway(null))
                    .catch((e: unknown) => setError(errorMessage(e)))
                    .finally(() => setBusy(false));
                }}
              >
                Move the visits that can be moved
              </button>
            </div>
          ) : null}
          <p className="muted small">Times are the clinic's local time ({displayZone()}).</p>
        </div>
      )}
    </Dialog>
  );
}

/** Cancel with a coded reason (required) and optional details (issue 13 §6). */
function CancelForm(p: {
  busy: boolean;
  inSeries: boolean;
  onBack: () => void;
  onCancel: (code: CancelCode, details: string, scope: SeriesScope) => Promise<boolean>;
}) {
  const [scope, setScope] = useState<SeriesScope>('one');
  const [code, setCode] = useState<CancelCode | ''>('');
  const [details, setDetails] = useState('');
  const [missing, setMissing] = useState(false);
  const id = useId();
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!code) {
      setMissing(true);
      return;
    }
    await p.onCancel(code, details.trim(), scope);
  }
  return (
    <form className="form subform" onSubmit={submit} noValidate aria-label="Cancel appointment">
      {p.inSeries ? <ScopeChoice value={scope} onChange={setScope} verb="cancel" /> : null}
      <div className="field">
        <label htmlFor={id}>Reason for cancelling (required)</label>
        <select
          id={id}
          value={code}
          required
          aria-invalid={missing && !code}
          aria-describedby={`${id}-err`}
          onChange={(e) => setCode(e.target.value as CancelCode | '')}
          autoFocus
        >
          <option value="">Choose a reason…</option>
          {CANCEL_CODES.map((c) => (
            <option key={c} value={c}>
              {CANCEL_CODE_LABEL[c]}
            </option>
          ))}
        </select>
        <p id={`${id}-err`} className="field-error">
          {missing && !code ? 'A reason is required to cancel.' : ''}
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-details`}>Details (optional)</label>
        <textarea
          id={`${id}-details`}
          rows={2}
          value={details}
          maxLength={500}
          onChange={(e) => setDetails(e.target.value)}
        />
      </div>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={p.onBack}>
          Keep appointment
        </button>
        <button type="submit" className="button button-danger" disabled={p.busy}>
          Confirm cancellation
        </button>
      </div>
    </form>
  );
}

function RescheduleForm(p: {
  appt: AppointmentView;
  busy: boolean;
  onBack: () => void;
  onMove: (slot: Slot, overlapReason: string | undefined, scope: SeriesScope) => Promise<void>;
}) {
  const providers = useReference((s) => s.providers);
  const [scope, setScope] = useState<SeriesScope>('one');
  // issue 13 §6 on a reschedule too: a time the patient already has another visit at needs a reason.
  const [overlapReason, setOverlapReason] = useState('');
  const [reasonNeeded, setReasonNeeded] = useState(false);
  const [day, setDay] = useState(localDay(p.appt.start));
  const [providerId, setProviderId] = useState(p.appt.providerId);
  const [slots, setSlots] = useState<Slot[] | null>(null);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ids = { day: useId(), slot: useId() };
  const provider = providers.find((x) => x.id === providerId);
  const chosen = slots?.find((s) => s.start === choice) ?? null;

  useEffect(() => {
    if (!provider || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return;
    const started = phiEpoch();
    let stale = false;
    setSlots(null);
    setChoice('');
    call('schedule.range', { from: day, days: 1, providerId: provider.id }).then(
      (view) => {
        if (stale || started !== phiEpoch()) return;
        setSlots(
          freeSlots(provider, day, view.appointments, {
            ignoreId: p.appt.id,
            availability: availabilityIn(view, provider.id),
          }).filter((s) => s.start !== p.appt.start || s.providerId !== p.appt.providerId),
        );
      },
      (e) => {
        if (!stale) setError(errorMessage(e));
      },
    );
    return () => {
      stale = true;
    };
  }, [day, provider, p.appt.id, p.appt.start, p.appt.providerId]);

  return (
    <form
      className="form subform"
      aria-label="Reschedule appointment"
      onSubmit={(e) => {
        e.preventDefault();
        const slot = slots?.find((s) => s.start === choice);
        if (!slot) return;
        if (reasonNeeded && !overlapReason.trim()) {
          setError('Give a reason to book this patient at a time they already have a visit.');
          return;
        }
        setError(null);
        void p.onMove(slot, reasonNeeded ? overlapReason.trim() : undefined, scope);
      }}
    >
      {p.appt.seriesId ? <ScopeChoice value={scope} onChange={setScope} verb="move" /> : null}
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.day}>Day</label>
          <input id={ids.day} type="date" value={day} onChange={(e) => setDay(e.target.value)} />
        </div>
        <SelectField
          label="Provider"
          value={providerId}
          onChange={setProviderId}
          options={providers.map((x) => ({ value: x.id, label: x.name }))}
        />
        <div className="field">
          <label htmlFor={ids.slot}>New time ({zoneLabel()})</label>
          <select id={ids.slot} value={choice} onChange={(e) => setChoice(e.target.value)} disabled={!slots}>
            <option value="">
              {slots === null ? 'Loading free slots…' : slots.length ? 'Choose a free slot' : 'No free slots'}
            </option>
            {(slots ?? []).map((s) => (
              <option key={s.start} value={s.start}>
                {hhmm(s.start)}–{hhmm(s.end)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {chosen ? (
        <OverlapWarning
          patientId={p.appt.patientId}
          start={chosen.start}
          end={chosen.end}
          exceptId={p.appt.id}
          reason={overlapReason}
          onReason={setOverlapReason}
          onNeeded={setReasonNeeded}
        />
      ) : null}
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={p.onBack}>
          Back
        </button>
        <button type="submit" className="button button-primary" disabled={p.busy || !choice}>
          Move appointment
        </button>
      </div>
    </form>
  );
}

type SeriesScope = 'one' | 'following' | 'all';

/** issue 13 §4: which visits of a recurring series an action applies to. */
function ScopeChoice(p: { value: SeriesScope; onChange: (s: SeriesScope) => void; verb: string }) {
  const name = useId();
  const options: [SeriesScope, string][] = [
    ['one', 'This visit only'],
    ['following', 'This and following visits'],
    ['all', 'All visits of the series still to come'],
  ];
  return (
    <fieldset className="field-group">
      <legend>Which visits to {p.verb}</legend>
      {options.map(([value, label]) => (
        <label key={value} className="checkbox">
          <input type="radio" name={name} checked={p.value === value} onChange={() => p.onChange(value)} />
          {label}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The slot to offer to the waitlist: the one this dialog freed, or the time of a cancelled visit still to come or
 * of a no-show not yet over (the core offers only what may still be booked: the walk-in allowance).
 */
function offerSlot(appt: AppointmentView, freed: FreedSlot | null): FreedSlot | null {
  if (freed) return freed;
  if ((appt.status === 'cancelled' || appt.status === 'noshow') && Date.parse(appt.end) > clinicNow())
    return { providerId: appt.providerId, start: appt.start, end: appt.end };
  return null;
}
