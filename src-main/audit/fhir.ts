/**
 * Audit events as FHIR R4 AuditEvent resources in a Bundle of type 'collection' (DESIGN.md §7).
 * Codes follow the R4 AuditEvent bindings: type from the AuditEventID value set (DICOM or 'rest'), subtype from
 * DICOM / restful-interaction plus our own action code, action C/R/U/D/E, outcome 0/4.
 * Only ids, staff display names, device names and field names are written: never patient data.
 */
import crypto from 'node:crypto';
import type { AuditAction, AuditEntityType } from '../../src-shared/domain';
import type { AuditEntryView } from '../../src-shared/views';

export const FHIR_SYSTEMS = {
  auditEventType: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  dicom: 'http://dicom.nema.org/resources/ontology/DCM',
  restful: 'http://hl7.org/fhir/restful-interaction',
  action: 'http://hl7.org/fhir/audit-event-action',
  outcome: 'http://hl7.org/fhir/audit-event-outcome',
  securityRoleType: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type',
  sourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  /** HL7 v3 ActReason: purposeOfEvent 'BTG' (break the glass) for emergency access. */
  actReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  /** Our own codes: the console's action name, staff role, device and staff identifiers. */
  localAction: 'urn:clinic-console:audit-action',
  localRole: 'urn:clinic-console:staff-role',
  localDevice: 'urn:clinic-console:device',
  localStaff: 'urn:clinic-console:staff',
  localRecord: 'urn:clinic-console:record',
} as const;

/** Complex extension carrying this device's hash chain link, so an export can be checked against the log. */
export const CHAIN_EXTENSION_URL = 'urn:clinic-console:fhir:audit-chain';

export interface Coding {
  system: string;
  code: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Reference {
  reference?: string;
  identifier?: { system?: string; value: string };
  display?: string;
}
export interface Extension {
  url: string;
  valueString?: string;
  extension?: Extension[];
}
export interface FhirAuditEvent {
  resourceType: 'AuditEvent';
  id: string;
  extension?: Extension[];
  type: Coding;
  subtype?: Coding[];
  action?: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  outcome?: '0' | '4' | '8' | '12';
  purposeOfEvent?: CodeableConcept[];
  agent: {
    type?: CodeableConcept;
    role?: CodeableConcept[];
    who?: Reference;
    requestor: boolean;
  }[];
  source: { site?: string; observer: Reference; type?: Coding[] };
  entity?: {
    what?: Reference;
    type?: Coding;
    role?: Coding;
    description?: string;
    detail?: { type: string; valueString: string }[];
  }[];
}
export interface FhirBundle {
  resourceType: 'Bundle';
  id: string;
  meta: { lastUpdated: string };
  type: 'collection';
  timestamp: string;
  /** Absent when there are no events: FHIR JSON has no empty arrays. */
  entry?: { fullUrl: string; resource: FhirAuditEvent }[];
}

/** An event as exported: the display view plus the actor's id and, for this device's events, the chain link. */
export type ExportEvent = AuditEntryView & {
  staffId: string | null;
  chain: { prevHash: string; hash: string } | null;
};

const DCM = (code: string, display: string): Coding => ({ system: FHIR_SYSTEMS.dicom, code, display });
const REST = (code: string): Coding => ({ system: FHIR_SYSTEMS.restful, code, display: code });

const ACTION_CODE: Record<AuditAction, 'C' | 'R' | 'U' | 'D' | 'E'> = {
  create: 'C',
  read: 'R',
  update: 'U',
  delete: 'D',
  // Export and print read data out of the system (AuditEventAction R is "Read/View/Print").
  export: 'R',
  print: 'R',
  'sign-in': 'E',
  'failed-sign-in': 'E',
  'sign-out': 'E',
  lock: 'E',
  unlock: 'E',
};

const AUTH_ACTIONS: ReadonlySet<AuditAction> = new Set([
  'sign-in',
  'failed-sign-in',
  'sign-out',
  'lock',
  'unlock',
]);

/** type and standard subtype of one event. */
function typeOf(e: AuditEntryView): { type: Coding; subtype: Coding[] } {
  if (AUTH_ACTIONS.has(e.action)) {
    // Unlock re-authenticates the same person (Login); lock ends the usable session (Logout).
    const login = e.action === 'sign-in' || e.action === 'failed-sign-in' || e.action === 'unlock';
    return {
      type: DCM('110114', 'User Authentication'),
      subtype: [login ? DCM('110122', 'Login') : DCM('110123', 'Logout')],
    };
  }
  if (e.action === 'export' || e.action === 'print') return { type: DCM('110106', 'Export'), subtype: [] };
  if (e.entityType === 'audit') return { type: DCM('110101', 'Audit Log Used'), subtype: [] };
  const interaction =
    e.action === 'read'
      ? e.entityId === null
        ? 'search-type'
        : 'read'
      : (e.action as 'create' | 'update' | 'delete');
  if (e.entityType === 'patient')
    return { type: DCM('110110', 'Patient Record'), subtype: [REST(interaction)] };
  return {
    type: { system: FHIR_SYSTEMS.auditEventType, code: 'rest', display: 'Restful Operation' },
    subtype: [REST(interaction)],
  };
}

/** FHIR resource type for records that have one; threads are requests for an answer (priority, status, due). */
const RESOURCE_OF: Partial<Record<AuditEntityType, string>> = {
  thread: 'CommunicationRequest',
  message: 'Communication',
  appointment: 'Appointment',
  patient: 'Patient',
  staff: 'Practitioner',
};

const OBJECT_ROLE: Partial<Record<AuditEntityType, Coding>> = {
  patient: { system: FHIR_SYSTEMS.objectRole, code: '1', display: 'Patient' },
  thread: { system: FHIR_SYSTEMS.objectRole, code: '4', display: 'Domain Resource' },
  message: { system: FHIR_SYSTEMS.objectRole, code: '4', display: 'Domain Resource' },
  appointment: { system: FHIR_SYSTEMS.objectRole, code: '4', display: 'Domain Resource' },
  staff: { system: FHIR_SYSTEMS.objectRole, code: '15', display: 'Practitioner' },
  schedule: { system: FHIR_SYSTEMS.objectRole, code: '18', display: 'Schedule' },
  audit: { system: FHIR_SYSTEMS.objectRole, code: '13', display: 'Security Resource' },
  settings: { system: FHIR_SYSTEMS.objectRole, code: '5', display: 'Master file' },
};
const QUERY_ROLE: Coding = { system: FHIR_SYSTEMS.objectRole, code: '24', display: 'Query' };

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A stable UUID (RFC 9562 version 8, name-based on SHA-256) for ids that are not UUIDs themselves. */
function uuidFor(id: string): string {
  if (UUID.test(id)) return id;
  const b = crypto.createHash('sha256').update(id).digest().subarray(0, 16);
  b[6] = 0x80 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function referenceTo(resourceType: string | undefined, id: string, system: string): Reference {
  if (resourceType !== undefined && FHIR_ID.test(id)) return { reference: `${resourceType}/${id}` };
  return { identifier: { system, value: id } };
}

function agentOf(e: ExportEvent): FhirAuditEvent['agent'][number] {
  const human: CodeableConcept = {
    coding: [{ system: FHIR_SYSTEMS.securityRoleType, code: 'humanuser', display: 'human user' }],
  };
  if (e.actorKind === 'system') {
    return {
      type: { coding: [DCM('110150', 'Application')] },
      who: { display: e.deviceName },
      requestor: true,
    };
  }
  if (e.actorKind === 'patient') {
    // Only the reference: a patient's name is PHI and never goes into an export.
    const who: Reference =
      e.staffId !== null
        ? referenceTo('Patient', e.staffId, FHIR_SYSTEMS.localRecord)
        : { display: 'Patient' };
    return { type: human, who, requestor: true };
  }
  const role: CodeableConcept[] | undefined =
    e.role !== null
      ? [{ coding: [{ system: FHIR_SYSTEMS.localRole, code: e.role }], text: e.role }]
      : undefined;
  const who: Reference =
    e.staffId !== null
      ? {
          ...referenceTo('Practitioner', e.staffId, FHIR_SYSTEMS.localStaff),
          display: e.staffName ?? e.staffId,
        }
      : { display: 'Unidentified user' };
  return { type: human, ...(role ? { role } : {}), who, requestor: true };
}

function sourceOf(e: AuditEntryView): FhirAuditEvent['source'] {
  const type: Coding =
    e.deviceId === 'server'
      ? { system: FHIR_SYSTEMS.sourceType, code: '4', display: 'Application Server' }
      : e.deviceId === 'portal'
        ? { system: FHIR_SYSTEMS.sourceType, code: '3', display: 'Web Server' }
        : { system: FHIR_SYSTEMS.sourceType, code: '1', display: 'User Device' };
  return {
    observer: { identifier: { system: FHIR_SYSTEMS.localDevice, value: e.deviceId }, display: e.deviceName },
    type: [type],
  };
}

function entitiesOf(e: AuditEntryView): FhirAuditEvent['entity'] {
  // A session event is about the person, who is already the agent.
  if (e.entityType === 'session' && e.entityId === null) return undefined;
  const entity: NonNullable<FhirAuditEvent['entity']>[number] = {
    type:
      e.entityType === 'patient' || e.entityType === 'staff'
        ? { system: FHIR_SYSTEMS.entityType, code: '1', display: 'Person' }
        : { system: FHIR_SYSTEMS.entityType, code: '2', display: 'System Object' },
  };
  if (e.entityId !== null) {
    entity.what = referenceTo(RESOURCE_OF[e.entityType], e.entityId, FHIR_SYSTEMS.localRecord);
    const role = OBJECT_ROLE[e.entityType];
    if (role) entity.role = role;
  } else {
    // A list read (queue, schedule, patient search): one event per list, no ids.
    entity.role = e.action === 'read' ? QUERY_ROLE : (OBJECT_ROLE[e.entityType] ?? QUERY_ROLE);
  }
  entity.description = e.entityType;
  if (e.fields.length > 0) entity.detail = [{ type: 'fields', valueString: e.fields.join(',') }];
  return [entity];
}

export function toFhirAuditEvent(e: ExportEvent): FhirAuditEvent {
  const { type, subtype } = typeOf(e);
  const resource: FhirAuditEvent = {
    resourceType: 'AuditEvent',
    id: FHIR_ID.test(e.id) ? e.id : uuidFor(e.id),
    type,
    subtype: [...subtype, { system: FHIR_SYSTEMS.localAction, code: e.action, display: e.action }],
    action: ACTION_CODE[e.action],
    recorded: e.at,
    outcome: e.outcome === 'success' ? '0' : '4',
    agent: [agentOf(e)],
    source: sourceOf(e),
  };
  if (e.purposeOfEvent === 'BTG') {
    // Review 4: the emergency-access flag reaches every export, as FHIR R4 AuditEvent.purposeOfEvent.
    resource.purposeOfEvent = [
      { coding: [{ system: FHIR_SYSTEMS.actReason, code: 'BTG', display: 'break the glass' }] },
    ];
  }
  const entity = entitiesOf(e);
  if (entity) resource.entity = entity;
  if (e.chain) {
    resource.extension = [
      {
        url: CHAIN_EXTENSION_URL,
        extension: [
          { url: 'prevHash', valueString: e.chain.prevHash },
          { url: 'hash', valueString: e.chain.hash },
        ],
      },
    ];
  }
  return resource;
}

export function toFhirBundle(
  events: readonly ExportEvent[],
  meta: { id: string; timestamp: string },
): FhirBundle {
  const bundle: FhirBundle = {
    resourceType: 'Bundle',
    id: meta.id,
    meta: { lastUpdated: meta.timestamp },
    type: 'collection',
    timestamp: meta.timestamp,
  };
  if (events.length > 0) {
    bundle.entry = events.map((e) => ({
      fullUrl: `urn:uuid:${uuidFor(e.id)}`,
      resource: toFhirAuditEvent(e),
    }));
  }
  return bundle;
}
