/**
 * The server's side of recurring series and the waitlist (issue 13 §4/§5). The console is not trusted: a series'
 * rule is parsed and bounded here (src-shared/recurrence.ts, the same subset and MAX_SERIES_OCCURRENCES), must be
 * in the provider's location zone, and may afterwards only shrink; an occurrence is booked by an ordinary
 * `appointment.book` (every booking rule applies) whose start must be one of the series rule's occurrences, with
 * the series' patient, provider and length. A booking from the waitlist takes its entry off the list in the same
 * transaction, and only a waiting entry of the same patient.
 */
import type { ProviderRecord, SeriesRecord, WaitlistRecord } from '../../src-shared/domain';
import {
  RecurrenceError,
  parseSeriesRule,
  ruleChangeProblem,
  seriesOccurrences,
  withExdates,
} from '../../src-shared/recurrence';
import type { Change, MutationOp, MutationResult } from '../../src-shared/sync';
import { locationOf } from '../schedule/bookable';
import type { OpContext, Outcome } from './apply';

type Op<N extends MutationOp['op']> = Extract<MutationOp, { op: N }>;

const seriesChange = (s: SeriesRecord): Change => ({ entity: 'series', id: s.id, data: s });
const waitlistChange = (w: WaitlistRecord): Change => ({ entity: 'waitlist', id: w.id, data: w });

const applied = (c: OpContext, version: number): MutationResult => ({
  id: c.m.id,
  status: 'applied',
  version,
});
const rejected = (c: OpContext, reason: string, current: Change | null): MutationResult => ({
  id: c.m.id,
  status: 'rejected',
  reason,
  current,
});

/** The rule's problem (malformed, unbounded, another zone than the provider's location), or null. */
async function ruleProblem(c: OpContext, rule: string, provider: ProviderRecord): Promise<string | null> {
  try {
    const parsed = parseSeriesRule(rule);
    // A new series has at least one visit (review 5: an UNTIL before the start made an empty one every PC pulled).
    if (seriesOccurrences(parsed).length === 0) return 'A series has at least one visit.';
    const zone = (await locationOf(c.store, provider)).timeZone;
    if (parsed.zone !== zone) return `A series with this provider repeats in ${zone}.`;
    return null;
  } catch (e) {
    if (e instanceof RecurrenceError) return e.message;
    throw e;
  }
}

/** series.create: a new series (no visits yet; they follow as appointment.book with its id). */
export async function createSeries(c: OpContext, op: Op<'series.create'>): Promise<Outcome> {
  const audit = {
    action: 'create' as const,
    entityType: 'series' as const,
    entityId: c.m.entityId,
    fields: ['patientId', 'providerId', 'rule', 'minutes', 'reason'],
  };
  const out = (result: MutationResult): Outcome => ({ result, audit });
  const existing = await c.store.series(c.m.entityId);
  if (existing) {
    return out(rejected(c, 'That series id is already in use.', seriesChange(existing)));
  }
  if (!(await c.store.patient(op.patientId))) return out(rejected(c, 'Unknown patient.', null));
  const provider = await c.store.provider(op.providerId);
  if (!provider) return out(rejected(c, 'Unknown provider.', null));
  const problem = await ruleProblem(c, op.rule, provider);
  if (problem) return out(rejected(c, problem, null));
  if (op.visitTypeId !== null) {
    const type = await c.store.visitType(op.visitTypeId);
    if (!type) return out(rejected(c, 'Unknown visit type.', null));
    if (!type.providerIds.includes(provider.id) || type.minutes !== op.minutes)
      return out(
        rejected(c, `A ${type.name} visit takes ${type.minutes} minutes with a provider offering it.`, null),
      );
  }
  const record: SeriesRecord = {
    id: c.m.entityId,
    patientId: op.patientId,
    providerId: provider.id,
    rule: op.rule,
    minutes: op.minutes,
    reason: op.reason,
    visitTypeId: op.visitTypeId,
    virtual: op.virtual,
    version: 1,
  };
  await c.store.putSeries(record);
  return out(applied(c, record.version));
}

/** series.setRule: the rule shrinks (an EXDATE, an earlier UNTIL); anything else is refused. */
export async function setSeriesRule(c: OpContext, op: Op<'series.setRule'>): Promise<Outcome> {
  const audit = {
    action: 'update' as const,
    entityType: 'series' as const,
    entityId: c.m.entityId,
    fields: ['rule'],
  };
  const out = (result: MutationResult): Outcome => ({ result, audit });
  const current = await c.store.series(c.m.entityId);
  if (!current) return out(rejected(c, 'Unknown series.', null));
  let problem: string | null;
  let rule = op.rule;
  try {
    problem = ruleChangeProblem(current.rule, op.rule);
    // Two desks shrinking the same series from the same version (one excluded a visit, the other ended the
    // series): the second rule, made on an older version, lacks the first's change. Both meant to remove visits,
    // so the series keeps the visits both rules have: the current rule with an EXDATE for each of its visits the
    // pushed rule dropped (never more visits than now). A rule made on the current version must shrink it.
    const stale = c.m.baseVersion !== null && c.m.baseVersion < current.version;
    if (problem !== null && stale && sameStart(current.rule, op.rule)) {
      const kept = new Set(seriesOccurrences(op.rule));
      rule = withExdates(
        current.rule,
        seriesOccurrences(current.rule).filter((o) => !kept.has(o)),
      );
      problem = ruleChangeProblem(current.rule, rule);
    }
  } catch (e) {
    if (!(e instanceof RecurrenceError)) throw e;
    problem = e.message;
  }
  if (problem) return out(rejected(c, problem, seriesChange(current)));
  const next = { ...current, rule, version: current.version + 1 };
  await c.store.putSeries(next);
  return out(applied(c, next.version));
}

/** True when both rules have the same DTSTART (zone and wall time), FREQ and INTERVAL. */
function sameStart(a: string, b: string): boolean {
  const x = parseSeriesRule(a);
  const y = parseSeriesRule(b);
  return x.zone === y.zone && x.dtstart === y.dtstart && x.freq === y.freq && x.interval === y.interval;
}

/**
 * Why an appointment.book carrying `seriesId` may not book [start, end) with `provider`, or null: the series
 * exists, is the same patient's with the same provider and length, and `start` is one of its rule's occurrences
 * (EXDATEs excluded). The booking's other rules are checked by the caller as for any booking.
 */
export async function seriesBookProblem(
  c: OpContext,
  op: Op<'appointment.book'>,
  provider: ProviderRecord,
  start: string,
  end: string,
): Promise<string | null> {
  if (op.seriesId === undefined) return null;
  const series = await c.store.series(op.seriesId);
  if (!series) return 'Unknown series.';
  if (series.patientId !== op.patientId || series.providerId !== provider.id)
    return 'This visit is not of that series: another patient or provider.';
  if (Date.parse(end) - Date.parse(start) !== series.minutes * 60_000)
    return `A visit of this series takes ${series.minutes} minutes.`;
  try {
    if (!seriesOccurrences(series.rule).includes(start))
      return 'This time is not an occurrence of the series.';
  } catch (e) {
    if (e instanceof RecurrenceError) return e.message;
    throw e;
  }
  return null;
}

/**
 * Why a booking from waitlist entry `op.waitlistEntryId` is refused, with the entry as the server has it (the
 * console shows it again: e.g. booked at another desk meanwhile), or null (none named: null).
 */
export async function waitlistBookProblem(
  c: OpContext,
  op: Op<'appointment.book'>,
): Promise<{ reason: string; current: Change | null } | null> {
  if (op.waitlistEntryId === undefined) return null;
  const entry = await c.store.waitlistEntry(op.waitlistEntryId);
  const current = entry ? waitlistChange(entry) : null;
  if (!entry || entry.status !== 'waiting')
    return { reason: 'This patient is no longer on the waitlist.', current };
  if (entry.patientId !== op.patientId)
    return { reason: 'That waitlist entry is for another patient.', current };
  return null;
}

/** After the booking is stored: its waitlist entry leaves the list (same transaction). */
export async function takeWaitlistEntry(c: OpContext, op: Op<'appointment.book'>): Promise<void> {
  if (op.waitlistEntryId === undefined) return;
  const entry = await c.store.waitlistEntry(op.waitlistEntryId);
  if (!entry) return;
  await c.store.putWaitlistEntry({
    ...entry,
    status: 'booked',
    appointmentId: c.m.entityId,
    version: entry.version + 1,
  });
}

/** waitlist.add / waitlist.remove. */
export async function waitlistOp(c: OpContext, op: Op<'waitlist.add' | 'waitlist.remove'>): Promise<Outcome> {
  if (op.op === 'waitlist.remove') {
    const audit = {
      action: 'update' as const,
      entityType: 'waitlist' as const,
      entityId: c.m.entityId,
      fields: ['status'],
    };
    const entry = await c.store.waitlistEntry(c.m.entityId);
    if (!entry) return { result: rejected(c, 'Unknown waitlist entry.', null), audit };
    if (entry.status !== 'waiting')
      return {
        result: rejected(c, 'This patient is no longer on the waitlist.', waitlistChange(entry)),
        audit,
      };
    const next: WaitlistRecord = { ...entry, status: 'removed', version: entry.version + 1 };
    await c.store.putWaitlistEntry(next);
    return { result: applied(c, next.version), audit };
  }
  const audit = {
    action: 'create' as const,
    entityType: 'waitlist' as const,
    entityId: c.m.entityId,
    fields: ['patientId', 'visitTypeId', 'providerIds', 'timeOfDay', 'fromDate', 'toDate'],
  };
  const out = (result: MutationResult): Outcome => ({ result, audit });
  const existing = await c.store.waitlistEntry(c.m.entityId);
  if (existing) return out(rejected(c, 'That waitlist id is already in use.', waitlistChange(existing)));
  if (!(await c.store.patient(op.patientId))) return out(rejected(c, 'Unknown patient.', null));
  if (op.visitTypeId !== null && !(await c.store.visitType(op.visitTypeId)))
    return out(rejected(c, 'Unknown visit type.', null));
  for (const id of op.providerIds)
    if (!(await c.store.provider(id))) return out(rejected(c, 'Unknown provider.', null));
  const real = (d: string) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`));
  if (!real(op.fromDate) || !real(op.toDate) || op.fromDate > op.toDate)
    return out(rejected(c, 'The date range is not a real range of days.', null));
  const record: WaitlistRecord = {
    id: c.m.entityId,
    patientId: op.patientId,
    visitTypeId: op.visitTypeId,
    providerIds: [...new Set(op.providerIds)],
    timeOfDay: op.timeOfDay,
    fromDate: op.fromDate,
    toDate: op.toDate,
    status: 'waiting',
    appointmentId: null,
    createdAt: c.nowIso(),
    version: 1,
  };
  await c.store.putWaitlistEntry(record);
  return out(applied(c, record.version));
}
