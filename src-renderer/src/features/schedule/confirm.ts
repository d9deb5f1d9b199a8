/**
 * Booking confirmed while you wait (issue 13 §7): after a booking, rescheduling or cancellation the dialog asks
 * the core for the server's verdict (appointment.confirm, at most CONFIRM_WAIT_MS) before it closes, so a lost
 * race is told in the dialog. Offline or late, the change stays on this PC as "not confirmed yet".
 */
import type { ChangeVerdict } from '../../../../src-shared/change-verdict';
import { call } from '../../api';

export const NOT_CONFIRMED_YET =
  'Saved on this PC; not confirmed yet by the server. The schedule shows it as "Not confirmed yet" until it is.';

/** The server's verdict on the latest changes to one appointment; a failed call counts as unconfirmed. */
export async function awaitVerdict(appointmentId: string): Promise<ChangeVerdict> {
  try {
    return await call('appointment.confirm', { appointmentId });
  } catch {
    return { outcome: 'unconfirmed', why: 'offline' };
  }
}

/**
 * Wait for the verdict; a refusal is thrown as an API error shape (CONFLICT for a lost race, else VALIDATION)
 * carrying the server's reason in words, so a dialog shows it exactly as a refusal of the local check.
 * @returns true when confirmed, false when the change is kept as "not confirmed yet".
 */
export async function confirmOrThrow(appointmentId: string): Promise<boolean> {
  const verdict = await awaitVerdict(appointmentId);
  if (verdict.outcome === 'refused') {
    throw { code: verdict.kind === 'conflict' ? 'CONFLICT' : 'VALIDATION', message: verdict.message };
  }
  return verdict.outcome === 'confirmed';
}
