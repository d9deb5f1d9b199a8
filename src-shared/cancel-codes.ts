/** Words for the coded cancellation reasons (issue 13 §6), one copy for the console's screens and its records. */
import type { CancelCode } from './domain';

export const CANCEL_CODE_LABEL: Record<CancelCode, string> = {
  'patient-request': 'Patient asked to cancel',
  'patient-unwell': 'Patient unwell',
  'provider-unavailable': 'Provider unavailable',
  'clinic-closed': 'Clinic closed',
  rescheduled: 'Rescheduled to another time',
  'booked-in-error': 'Booked in error',
  other: 'Other',
};
