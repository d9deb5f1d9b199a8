/**
 * Triage at clinic scale (issue 14): the topics a patient picks in the portal, the pools the clinic routes them
 * to, the service level (SLA) per priority, and who may read what in a pool (DESIGN.md §6: "receptionists work
 * administrative pools and see only topic and subject of clinical threads").
 *
 * Shared by the console (router access rules, queues) and the portal backend (routing a new thread, filtering
 * what it serves by role). Imports nothing of ours but the domain.
 */
import { z } from 'zod';
import { TOPICS, type Priority, type Role } from './domain';

export { TOPICS };
export const Topic = z.enum(TOPICS);
export type Topic = z.infer<typeof Topic>;

/** Human labels of the topics (portal picker, console badges). */
export const TOPIC_LABELS: Record<Topic, string> = {
  'clinical-question': 'Clinical question',
  'prescription-refill': 'Prescription refill',
  'test-results': 'Test results',
  scheduling: 'Scheduling',
  'billing-admin': 'Billing and admin',
};

/**
 * A clinical pool holds message bodies only clinicians (and admins) read; an administrative pool is worked by
 * receptionists too.
 */
export const POOL_KINDS = ['clinical', 'administrative'] as const;
export const PoolKind = z.enum(POOL_KINDS);
export type PoolKind = z.infer<typeof PoolKind>;

/** Minutes within which a staff answer is due, per priority (set by the clinic, per pool). */
export const SlaMinutes = z.strictObject({
  routine: z
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 60),
  urgent: z
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 60),
  asap: z
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 60),
  stat: z
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 60),
});
export type SlaMinutes = z.infer<typeof SlaMinutes>;

/** The clinic's default service levels (minutes): routine 48 h, urgent 4 h, asap 1 h, STAT 15 min. */
export const DEFAULT_SLA: SlaMinutes = { routine: 48 * 60, urgent: 4 * 60, asap: 60, stat: 15 };

const id = z.string().min(1).max(64);

/** A triage pool as the server holds it and syncs it (entity 'pool'). */
export const PoolRecord = z.strictObject({
  id,
  name: z.string().min(1).max(100),
  kind: PoolKind,
  /** Topics a new patient thread is routed here by; each topic belongs to at most one pool. */
  topics: z.array(Topic).max(TOPICS.length),
  sla: SlaMinutes,
  version: z.number().int().nonnegative(),
});
export type PoolRecord = z.infer<typeof PoolRecord>;

/** The pools a new clinic starts with (server schema migration seeds them; an admin reconfigures them). */
export const DEFAULT_POOLS: readonly Omit<PoolRecord, 'version'>[] = [
  { id: 'clinical', name: 'Clinical', kind: 'clinical', topics: ['clinical-question'], sla: DEFAULT_SLA },
  { id: 'refills', name: 'Refills', kind: 'clinical', topics: ['prescription-refill'], sla: DEFAULT_SLA },
  { id: 'results', name: 'Results', kind: 'clinical', topics: ['test-results'], sla: DEFAULT_SLA },
  {
    id: 'front-desk',
    name: 'Front desk',
    kind: 'administrative',
    topics: ['scheduling', 'billing-admin'],
    sla: DEFAULT_SLA,
  },
];

/** The pool a topic routes to; the first clinical pool when no pool claims it (a safe default), else null. */
export function poolForTopic<P extends Pick<PoolRecord, 'id' | 'kind' | 'topics'>>(
  pools: readonly P[],
  topic: Topic,
): P | null {
  return pools.find((p) => p.topics.includes(topic)) ?? pools.find((p) => p.kind === 'clinical') ?? null;
}

/**
 * True when a thread in a pool of this kind is clinical. A thread with no pool, or a pool this side does not
 * know, counts as clinical: the restrictive reading is the safe one.
 */
export const isClinicalKind = (kind: PoolKind | null | undefined): boolean => kind !== 'administrative';

/**
 * May this role read a thread's bodies, attachments and clinical panel content in a pool of this kind, without
 * emergency access? Receptionists: administrative pools only; clinicians and admins: every pool.
 */
export function roleMayReadPool(role: Role, kind: PoolKind | null | undefined): boolean {
  return role !== 'receptionist' || !isClinicalKind(kind);
}

/**
 * May this role move a thread from a pool of kind `from` to one of kind `to`? A receptionist re-routes a
 * mis-filed thread by topic and subject, but never out of a clinical pool into an administrative one: that
 * would hand them the bodies they may not read.
 */
export function roleMayRoute(
  role: Role,
  from: PoolKind | null | undefined,
  to: PoolKind | null | undefined,
): boolean {
  if (role !== 'receptionist') return true;
  return !(isClinicalKind(from) && !isClinicalKind(to));
}

/** Due time (UTC ISO) of an answer to a message received at `fromIso`, by the pool's SLA for the priority. */
export function dueAt(fromIso: string, priority: Priority, sla: SlaMinutes = DEFAULT_SLA): string {
  return new Date(Date.parse(fromIso) + sla[priority] * 60_000).toISOString();
}

/**
 * One emergency-access grant as the admins' break-glass report shows it: who, which thread, the stated reason,
 * when, how many reads the console recorded under it (its audit events with purposeOfEvent 'BTG'), how many times
 * the server itself handed the record's bodies out under it (`served`: a PC that shows bodies but reports no
 * read stands out), and the admin's review.
 */
export const BreakGlassGrant = z.strictObject({
  id,
  staffId: id,
  staffName: z.string().nullable(),
  role: z.enum(['receptionist', 'clinician', 'admin']).nullable(),
  deviceId: id,
  entityType: z.literal('thread'),
  entityId: id,
  reason: z.string().max(500),
  openedAt: z.string(),
  expiresAt: z.string(),
  reads: z.number().int().nonnegative(),
  served: z.number().int().nonnegative(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
});
export type BreakGlassGrant = z.infer<typeof BreakGlassGrant>;
export const BreakGlassReportResponse = z.strictObject({ grants: z.array(BreakGlassGrant).max(1000) });

/** How long emergency access lasts unless the clinic sets otherwise (minutes). */
export const BREAK_GLASS_DEFAULT_MINUTES = 60;
/** The range an admin may set emergency access to (minutes): at least 5, at most 8 hours (one shift). */
export const BREAK_GLASS_MINUTES_RANGE = { min: 5, max: 480 } as const;

/**
 * Clinic-wide triage settings (issue 14 §4, session 4): held by the server, edited by an admin
 * (PUT /admin/clinic-settings), synced to every console as the one 'clinicSettings' record (id 'clinic').
 */
export const CLINIC_SETTINGS_ID = 'clinic';
export const ClinicSettingsRecord = z.strictObject({
  id: z.literal(CLINIC_SETTINGS_ID),
  /** How long one emergency access (break-glass) lasts, minutes (default 60). */
  breakGlassMinutes: z.number().int().min(BREAK_GLASS_MINUTES_RANGE.min).max(BREAK_GLASS_MINUTES_RANGE.max),
  version: z.number().int().nonnegative(),
});
export type ClinicSettingsRecord = z.infer<typeof ClinicSettingsRecord>;
/** The body of PUT /admin/clinic-settings (and the console's admin.setClinicSettings). */
export const ClinicSettingsUpdate = ClinicSettingsRecord.omit({ id: true, version: true });
export const ClinicSettingsResponse = z.strictObject({ settings: ClinicSettingsRecord });

/**
 * A pool's saved reply (issue 14 §5, session 4): created by an admin per pool, held by the server, synced to
 * every console (entity 'poolTemplate') and offered in the reply box's pool group for threads of that pool.
 * Its fields are filled by src-shared/reply-template.ts like every other template's.
 */
export const PoolTemplateRecord = z.strictObject({
  id,
  poolId: id,
  title: z.string().trim().min(1).max(80),
  body: z.string().trim().min(1).max(5_000),
  version: z.number().int().nonnegative(),
});
export type PoolTemplateRecord = z.infer<typeof PoolTemplateRecord>;
/** The body of PUT /admin/pool-templates/:templateId. */
export const PoolTemplateUpdate = PoolTemplateRecord.omit({ id: true, version: true });
export const PoolTemplateResponse = z.strictObject({ template: PoolTemplateRecord });

/**
 * FHIR AuditEvent.purposeOfEvent code for emergency access: "BTG" (break the glass) of the HL7 v3 ActReason
 * code system (http://terminology.hl7.org/CodeSystem/v3-ActReason). HIPAA 164.312(a)(2)(ii).
 */
export const PURPOSE_BREAK_GLASS = 'BTG' as const;
export const PurposeOfEvent = z.literal(PURPOSE_BREAK_GLASS);
export type PurposeOfEvent = z.infer<typeof PurposeOfEvent>;
