/** Service level for a staff answer to a patient message, by thread priority. */
import type { Priority } from '../../src-shared/domain';

export const SLA_MINUTES: Record<Priority, number> = { routine: 48 * 60, urgent: 4 * 60, asap: 60, stat: 15 };

export function dueAfter(fromIso: string, priority: Priority): string {
  return new Date(Date.parse(fromIso) + SLA_MINUTES[priority] * 60_000).toISOString();
}
