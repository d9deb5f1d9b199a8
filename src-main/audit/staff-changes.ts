/**
 * Changes of a staff member's role are audited (DESIGN.md §7, issue 11): whenever the store takes a staff
 * record whose role differs from the one it held (a pull from the backend, or the record a sign-in returns),
 * one 'update' event with the field name 'role' is written on that staff member's trail, in the same
 * transaction as the change. The actor is the system (the change was made on the backend, which keeps its own
 * event naming the admin who made it).
 */
import type { Store } from '../store/store';
import type { AuditLog } from './audit-log';

/** Subscribes the audit log to role changes in the store; returns the unsubscribe function. */
export function auditRoleChanges(store: Store, audit: AuditLog): () => void {
  return store.staff.onRoleChange((staffId) => {
    audit.record(
      { staffId: null, role: null },
      {
        action: 'update',
        entityType: 'staff',
        entityId: staffId,
        outcome: 'success',
        fields: ['role'],
        actorKind: 'system',
      },
    );
  });
}
