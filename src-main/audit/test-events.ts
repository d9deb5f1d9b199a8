/** Test support: the audit events the log's index tests record (session 9, s9dup: each test file wrote them). */

/** A clinician who reads records (the actor of the index tests' events). */
export const READER = { staffId: 'stf-1', role: 'clinician' as const };

/** A successful read of one record (`entityId` null: a read of no one record), as `AuditLog.record` takes it. */
export const read = (entityType: 'thread' | 'patient', entityId: string | null) => ({
  action: 'read' as const,
  entityType,
  entityId,
  outcome: 'success' as const,
});
