/**
 * What a person is told when a change they made was not saved on the server (issue 12, DESIGN.md §5
 * "conflicts are shown to the person who caused them"): which patient (their name, as the schedule and the
 * inbox show it), which slot and provider, why, and what to do. The text goes to the sync problems list in
 * the encrypted store and to the screen of a signed-in person; never to a log.
 */
import { localDateOf, localHhmm, zoneShortName } from '../../src-shared/clinic-time';
import type { MutationOp } from '../../src-shared/sync';
import type { Store } from '../store/store';

const OP_LABEL: Record<MutationOp['op'], string> = {
  'appointment.book': 'Booking',
  'appointment.reschedule': 'Rescheduling',
  'appointment.cancel': 'Cancellation',
  'appointment.checkIn': 'Check-in',
  'appointment.noShow': 'No-show',
  'appointment.room': 'Rooming',
  'appointment.complete': 'Completion',
  'appointment.undoStatus': 'Undo',
  'appointment.setVirtual': 'Change to or from a virtual visit',
  'thread.assign': 'Assignment',
  'thread.setPriority': 'Priority change',
  'thread.setStatus': 'Status change',
  'thread.route': 'Re-routing',
  'breakGlass.open': 'Emergency access',
  'message.send': 'Reply',
  'audit.append': 'Audit record',
  'series.create': 'Recurring series',
  'series.setRule': 'Change to a recurring series',
  'waitlist.add': 'Waitlist entry',
  'waitlist.remove': 'Removal from the waitlist',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * "25 Nov 2026, 09:00 EST": the label the console's screens use for an instant (src-renderer/src/lib/time), in
 * the clinic location's zone (issue 13a; UTC when the location is unknown).
 */
export function whenLabel(iso: string, timeZone = 'UTC'): string {
  if (Number.isNaN(Date.parse(iso))) return 'an unknown time';
  const day = localDateOf(iso, timeZone);
  return `${Number(day.slice(8, 10))} ${MONTHS[Number(day.slice(5, 7)) - 1]} ${day.slice(0, 4)}, ${localHhmm(iso, timeZone)} ${zoneShortName(iso, timeZone)}`;
}

/** The IANA zone of a provider's location as this console holds it (UTC when unknown). */
function zoneOf(store: Store, providerId: string | undefined): string {
  const p = providerId ? store.providers.byId(providerId) : null;
  return (p && store.locations.byId(p.locationId)?.timeZone) ?? 'UTC';
}

function patientName(store: Store, patientId: string | undefined): string {
  const p = patientId ? store.patients.byId(patientId) : null;
  return p ? `${p.givenName} ${p.familyName}` : 'a patient';
}

function providerName(store: Store, providerId: string | undefined): string {
  const p = providerId ? store.providers.list().find((x) => x.id === providerId) : undefined;
  return p?.name ?? 'a provider';
}

/** What to do next, by operation and by whether the slot was the problem. */
function advice(op: MutationOp['op'], kind: 'conflict' | 'rejected', reason: string): string {
  if (op === 'appointment.book' || op === 'appointment.reschedule') {
    return /slot|booked|time|hours|day/i.test(reason) || kind === 'conflict'
      ? 'Choose another time.'
      : 'Open the appointment to check it, then try again.';
  }
  if (op.startsWith('appointment.')) return 'Open the appointment to see where it stands now.';
  if (op.startsWith('series.') || op.startsWith('waitlist.'))
    return 'Open the schedule to see where it stands now.';
  if (op === 'message.send') return 'Open the thread and send the reply again if it is still needed.';
  if (op === 'audit.append')
    return "This PC's audit trail did not fully reach the server: tell the clinic's IT admin.";
  return 'Open the thread to see where it stands now.';
}

/**
 * The problem text for a refused change, read AFTER the console shows the server's record again, so "now"
 * statements are the server's. `before` is the record as the person saw it when they made the change.
 */
export function refusalText(
  store: Store,
  input: {
    op: MutationOp;
    entityId: string;
    kind: 'conflict' | 'rejected';
    reason: string;
    /** Patient and slot of the appointment before the change (for a reschedule: where it was). */
    before: { patientId?: string; providerId?: string; start?: string } | null;
  },
): string {
  const { op, reason, kind } = input;
  const label = OP_LABEL[op.op];
  let subject = '';
  if (op.op === 'appointment.book') {
    subject = ` for ${patientName(store, op.patientId)} with ${providerName(store, op.providerId)} on ${whenLabel(op.start, zoneOf(store, op.providerId))}`;
  } else if (op.op === 'appointment.reschedule') {
    const now = store.appointments.byId(input.entityId);
    const who = patientName(store, now?.patientId ?? input.before?.patientId);
    subject = ` of ${who}'s appointment to ${whenLabel(op.start, zoneOf(store, op.providerId))} with ${providerName(store, op.providerId)}`;
    const tail = now
      ? ` It stays on ${whenLabel(now.start, zoneOf(store, now.providerId))} with ${providerName(store, now.providerId)}.`
      : ' The appointment is no longer on the schedule.';
    return `${label}${subject} not saved: ${reason}${tail} ${advice(op.op, kind, reason)}`.slice(0, 600);
  } else if (op.op.startsWith('appointment.')) {
    const now = store.appointments.byId(input.entityId);
    const a = now ?? input.before;
    subject = ` of ${patientName(store, a?.patientId)}'s appointment with ${providerName(store, a?.providerId)} on ${a?.start ? whenLabel(a.start, zoneOf(store, a.providerId)) : 'an unknown time'}`;
  } else if (op.op.startsWith('series.') || op.op.startsWith('waitlist.')) {
    // issue 13 §4/§5: the patient of the series or waitlist entry
    const r = store.series.byId(input.entityId) ?? store.waitlist.byId(input.entityId);
    subject = ` for ${patientName(store, r?.patientId)}`;
  } else if (op.op !== 'audit.append') {
    const t = store.threads.byId(input.entityId);
    if (t) {
      subject =
        op.op === 'message.send'
          ? ` to ${patientName(store, t.patientId)} on "${t.subject}"`
          : ` of ${patientName(store, t.patientId)}'s thread "${t.subject}"`;
    }
  }
  return `${label}${subject} not saved: ${reason} ${advice(op.op, kind, reason)}`.slice(0, 600);
}
