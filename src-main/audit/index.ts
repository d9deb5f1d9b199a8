/** The audit trail (DESIGN.md §7): hash-chained local log, merged trails, report, FHIR export. */
export {
  AuditLog,
  ACTIVITY_LIMIT,
  SERVER_DEVICE_NAMES,
  TRAIL_LIMIT,
  type AuditActor,
  type AuditEventInput,
  type AuditExportFilter,
} from './audit-log';
export { GENESIS_HASH, canonicalJson, chainHash, recordHash, type ChainFields } from './chain';
export {
  CHAIN_EXTENSION_URL,
  FHIR_SYSTEMS,
  toFhirAuditEvent,
  toFhirBundle,
  type ExportEvent,
  type FhirAuditEvent,
  type FhirBundle,
} from './fhir';
