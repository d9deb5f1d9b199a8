/**
 * Which records' trails an audited call must show (DESIGN.md §7 "Coverage", issue 11):
 * - a list read (inbox page, search, schedule range, patient search) records one 'read' event per record it
 *   returned, and one per patient whose name it showed, so a patient's trail answers "who looked me up";
 *   the event's field name is the method that listed it (e.g. 'inbox.list'), never a value;
 * - an attachment read is recorded on its thread and on the thread's patient, with the field name
 *   `attachment.<attachmentId>` (ids only), since no trail is kept per attachment.
 */
import type { MethodName } from '../../src-shared/contract';
import type { AuditEntityType } from '../../src-shared/domain';
import type { AppointmentView, PatientView, ScheduleView, ThreadPage } from '../../src-shared/views';
import type { Store } from '../store/store';

/** A record an audit event is written on, with the field names the event carries. */
export interface AuditSubject {
  entityType: AuditEntityType;
  entityId: string;
  fields: string[];
}

const MAX_ID = 64;

function add(out: AuditSubject[], seen: Set<string>, entityType: AuditEntityType, id: string, field: string) {
  const key = `${entityType}\u0000${id}`;
  if (seen.has(key) || id.length === 0 || id.length > MAX_ID) return;
  seen.add(key);
  out.push({ entityType, entityId: id, fields: [field] });
}

/**
 * The records a successful list read returned, in the order shown, each once: threads then their patients
 * (inbox.list), appointments then their patients (schedule.range), patients (patient.search).
 * Any other method returns [] (it names its record in its input, or touches none).
 */
export function listedRecords(method: MethodName, output: unknown): AuditSubject[] {
  const out: AuditSubject[] = [];
  const seen = new Set<string>();
  switch (method) {
    case 'inbox.list': {
      const page = output as ThreadPage;
      for (const t of page.threads) add(out, seen, 'thread', t.id, method);
      for (const t of page.threads) add(out, seen, 'patient', t.patientId, method);
      break;
    }
    case 'schedule.range': {
      const view = output as ScheduleView;
      const shown: AppointmentView[] = view.appointments;
      for (const a of shown) add(out, seen, 'appointment', a.id, method);
      for (const a of shown) add(out, seen, 'patient', a.patientId, method);
      break;
    }
    case 'patient.search':
      for (const p of output as PatientView[]) add(out, seen, 'patient', p.id, method);
      break;
    default:
      break;
  }
  return out;
}

/**
 * The records whose trails carry an event on the named record. An attachment (audit entity 'message' with
 * the attachment's id) maps to its thread and the thread's patient; an attachment not on this PC, and every
 * other record, maps to itself.
 */
export function subjectsOf(
  store: Store,
  entityType: AuditEntityType,
  entityId: string,
  fields: readonly string[],
): AuditSubject[] {
  if (entityType === 'message') {
    const attachment = store.messages.attachmentOwner(entityId);
    if (attachment) {
      const field = `attachment.${entityId}`;
      const extra = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(field) ? [field] : ['attachment'];
      return [
        { entityType: 'thread', entityId: attachment.threadId, fields: [...fields, ...extra] },
        { entityType: 'patient', entityId: attachment.patientId, fields: [...fields, ...extra] },
      ];
    }
  }
  return [{ entityType, entityId, fields: [...fields] }];
}
