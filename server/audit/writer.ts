/**
 * The backend's own audit events: append-only, one SHA-256 hash chain over every event the server
 * writes (events consoles append keep the hashes of their own device chains).
 * Canonical form: JSON array of the fields in a fixed order, prevHash included, hash excluded.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AuditRecord } from '../../src-shared/domain';
import type { ServerStore } from '../db/types';

export type ServerAuditInput = Omit<AuditRecord, 'id' | 'at' | 'prevHash' | 'hash' | 'version' | 'fields'> & {
  id?: string;
  at?: string;
  fields?: string[];
};

export function canonicalAudit(e: Omit<AuditRecord, 'hash'>): string {
  return JSON.stringify([
    e.id,
    e.at,
    e.staffId,
    e.role,
    e.deviceId,
    e.action,
    e.entityType,
    e.entityId,
    e.outcome,
    e.fields,
    e.actorKind,
    e.prevHash,
    e.version,
    // issue 14a: FHIR AuditEvent.purposeOfEvent, hashed only when set (older events keep their hashes)
    ...(e.purposeOfEvent ? [e.purposeOfEvent] : []),
  ]);
}

export function hashAudit(e: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonicalAudit(e)).digest('hex');
}

export class AuditWriter {
  constructor(
    private readonly store: ServerStore,
    private readonly nowIso: () => string,
  ) {}

  /** Appends one server event; call (and await) inside the transaction of the change it records. */
  async write(input: ServerAuditInput): Promise<AuditRecord> {
    // Read the chain's head and append in one transaction (joins the caller's): the chain cannot fork.
    return this.store.transaction(() => this.append(input));
  }

  private async append(input: ServerAuditInput): Promise<AuditRecord> {
    const base: Omit<AuditRecord, 'hash'> = {
      id: input.id ?? randomUUID(),
      at: input.at ?? this.nowIso(),
      staffId: input.staffId,
      role: input.role,
      deviceId: input.deviceId,
      action: input.action,
      entityType: input.entityType,
      entityId: input.entityId,
      outcome: input.outcome,
      fields: input.fields ?? [],
      actorKind: input.actorKind,
      ...(input.purposeOfEvent ? { purposeOfEvent: input.purposeOfEvent } : {}),
      prevHash: await this.store.lastServerAuditHash(),
      version: 1,
    };
    const record: AuditRecord = { ...base, hash: hashAudit(base) };
    await this.store.insertAuditEvent(record, 'server');
    return record;
  }
}
