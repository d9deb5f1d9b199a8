/** One appointment: details and the front desk's actions (check in, no-show, reschedule, cancel, virtual link). */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { CANCEL_CODES, type CancelCode } from '../../../../src-shared/domain';
import { CANCEL_CODE_LABEL } from '../../../../src-shared/cancel-codes';
import type { TRANSITIONS } from '../../../../src-shared/schedule-rules';
import type { AppointmentView } from '../../../../src-shared/views';
import { call, errorCode, errorMessage } from '../../api';
import { AppointmentStatusBadge } from '../../components/Badges';
import { Dialog } from '../../components/Dialog';
import { dayLabel, displayZone, hhmm, localDay, zoneLabel } from '../../lib/time';
import { useData } from '../../state/data';
import { phiEpoch } from '../../state/epoch';
import { useReference } from '../../state/reference';
import { useSession } from '../../state/session';
import { announce, setUi } from '../../state/ui';
import { SLOT_TAKEN } from './BookDialog';
import { confirmOrThrow, NOT_CONFIRMED_YET } from './confirm';
import { useFocusNeverLost } from './keepFocus';
import { availabilityIn, freeSlots, type Slot } from './slots';
import { allowedNow, VisitFlowActions } from './VisitFlowActions';
import { VirtualVisitPanel } from './VirtualVisitPanel';

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

          {mode === 'cancel' ? (
            <CancelForm
              busy={busy}
              onBack={() => setMode('view')}
              onCancel={(code, details) =>
                act('Appointment cancelled.', async () => {
                  await call('appointment.cancel', {
                    appointmentId,
                    code,
                    ...(details ? { reason: details } : {}),
                  });
                  // issue 13b: the server's verdict, awaited with the dialog open.
                  if (!(await confirmOrThrow(appointmentId))) announce(NOT_CONFIRMED_YET);
                })
              }
            />
          ) : null}
          {mode === 'reschedule' && provider ? (
            <RescheduleForm
              appt={appt}
              busy={busy}
              onBack={() => setMode('view')}
              onMove={async (slot) => {
                setBusy(true);
                setError(null);
                try {
                  await call('appointment.reschedule', {
                    appointmentId,
                    providerId: slot.providerId,
                    start: slot.start,
                    end: slot.end,
                  });
                  // issue 13b: the server's verdict, awaited with the dialog open (a lost race is told here).
                  const confirmed = await confirmOrThrow(appointmentId);
                  announce(
                    `Appointment moved to ${dayLabel(slot.day)} ${hhmm(slot.start)} ${zoneLabel(slot.start)}.` +
                      (confirmed ? '' : ` ${NOT_CONFIRMED_YET}`),
                  );
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
          <p className="muted small">Times are the clinic's local time ({displayZone()}).</p>
        </div>
      )}
    </Dialog>
  );
}

/** Cancel with a coded reason (required) and optional details (issue 13 §6). */
function CancelForm(p: {
  busy: boolean;
  onBack: () => void;
  onCancel: (code: CancelCode, details: string) => Promise<boolean>;
}) {
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
    await p.onCancel(code, details.trim());
  }
  return (
    <form className="form subform" onSubmit={submit} noValidate aria-label="Cancel appointment">
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
  onMove: (slot: Slot) => Promise<void>;
}) {
  const providers = useReference((s) => s.providers);
  const [day, setDay] = useState(localDay(p.appt.start));
  const [providerId, setProviderId] = useState(p.appt.providerId);
  const [slots, setSlots] = useState<Slot[] | null>(null);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ids = { day: useId(), provider: useId(), slot: useId() };
  const provider = providers.find((x) => x.id === providerId);

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
        if (slot) void p.onMove(slot);
      }}
    >
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.day}>Day</label>
          <input id={ids.day} type="date" value={day} onChange={(e) => setDay(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.provider}>Provider</label>
          <select id={ids.provider} value={providerId} onChange={(e) => setProviderId(e.target.value)}>
            {providers.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </div>
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
