/**
 * Virtual visits at the desk (issue 13 §9, DESIGN.md §1 "virtual consultations under one roof"): an existing
 * visit switched to virtual (a video link is made) or back to in person, and the link sent to the patient as a
 * portal message. The link is the visit's own room (src-shared/virtual-visit.ts) (on the shell's openExternal allow-list).
 */
import type { StaffRecord } from '../../src-shared/domain';
import { ApiError } from '../../src-shared/errors';
import { TRANSITIONS } from '../../src-shared/schedule-rules';
import { roleMayReadPool } from '../../src-shared/triage';
import { virtualVisitLink } from '../../src-shared/virtual-visit';
import type { InboxService } from '../inbox/inbox-service';
import type { Store } from '../store/store';
import { whenLabel } from '../sync/refusal-text';

/** Statuses whose visit may still change between in person and virtual (those that may be rescheduled). */
const CHANGEABLE: readonly string[] = TRANSITIONS.reschedule.from;

/**
 * The virtual-visit link a visit gets: `${base}${appointmentId}` (one link per visit, stable across switches).
 * Errors: NOT_FOUND (not on this PC), CONFLICT (a visit that is over, cancelled or a no-show).
 */
export function virtualLinkFor(
  store: Store,
  appointmentId: string,
  virtual: boolean,
): { version: number; link: string | null } {
  const appt = store.appointments.byId(appointmentId);
  if (!appt) throw new ApiError('NOT_FOUND', 'This appointment is not on this PC.');
  if (!CHANGEABLE.includes(appt.status)) {
    throw new ApiError(
      'CONFLICT',
      `An appointment that is ${appt.status} cannot be changed to or from a virtual visit.`,
    );
  }
  return { version: appt.version, link: virtual ? virtualVisitLink(appointmentId) : null };
}

/**
 * Send the visit's link to its patient as a portal message: a reply on the patient's most recent open
 * conversation the staff member's role may reply in (issue 14a: a receptionist, administrative pools only; the
 * protocol has no staff-started thread). Errors: NOT_FOUND (no such visit here, no link, or no such open
 * conversation with the patient: the desk is told to give the link by phone or e-mail instead).
 */
export function sendVirtualLink(
  store: Store,
  inbox: InboxService,
  staff: StaffRecord,
  appointmentId: string,
): { threadId: string; messageId: string } {
  const appt = store.appointments.byId(appointmentId);
  if (!appt) throw new ApiError('NOT_FOUND', 'This appointment is not on this PC.');
  if (!appt.virtualLink) throw new ApiError('NOT_FOUND', 'This appointment has no virtual-visit link.');
  // Review 4: a visit that is over or cancelled has no visit to join; its link is not sent.
  if (!CHANGEABLE.includes(appt.status)) {
    throw new ApiError('CONFLICT', `This visit is ${appt.status}: its link is not sent.`);
  }
  // issue 14a: only a conversation the staff member's role may reply in (a receptionist: administrative pools);
  // the server refuses a reply in any other, so picking one would lose the link silently.
  const thread = store.threads
    .openForPatient(appt.patientId)
    .find((t) => roleMayReadPool(staff.role, store.pools.kindOfThread(t.id)));
  if (!thread) {
    throw new ApiError(
      'NOT_FOUND',
      'This patient has no open portal conversation you may reply in to send the link. Give the link by phone ' +
        'instead.',
    );
  }
  const provider = store.providers.byId(appt.providerId);
  // The clinic's local time with its zone named (issue 13 §1; review 4: it said UTC).
  const zone = (provider && store.locations.byId(provider.locationId)?.timeZone) ?? 'UTC';
  const body =
    `Your virtual visit with ${provider?.name ?? 'your provider'} is on ${whenLabel(appt.start, zone)}. ` +
    `Join it with this link a few minutes before: ${appt.virtualLink}`;
  return { threadId: thread.id, messageId: inbox.reply(staff, thread.id, body) };
}
