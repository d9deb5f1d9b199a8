/**
 * Virtual-visit links (issue 13 §9): each visit has its own video room, named after the appointment, on the
 * clinic's video host. One rule for console and server: a link is accepted only when it is exactly the room of
 * the appointment it is set on, so a modified console can neither point a visit at another patient's room nor
 * hand the patient a non-https (`javascript:`, `http:`) address.
 */

/** Host and path of the clinic's video rooms; the shell's openExternal allow-list holds the same host. */
export const VIRTUAL_VISIT_BASE = 'https://visit.clinic.example/v/';

/** The video room of one appointment: `https://visit.clinic.example/v/<appointment id>`. */
export function virtualVisitLink(appointmentId: string): string {
  return VIRTUAL_VISIT_BASE + appointmentId;
}

/**
 * Why `link` may not be the virtual-visit link of appointment `appointmentId`, or null when it may (null, or that
 * appointment's own room). The message names no patient.
 */
export function virtualLinkProblem(link: string | null, appointmentId: string): string | null {
  if (link === null || link === virtualVisitLink(appointmentId)) return null;
  return `A virtual-visit link must be this visit's own room (${VIRTUAL_VISIT_BASE}…).`;
}
