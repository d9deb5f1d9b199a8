/**
 * Recurring appointments on the console (issue 13 §4). A series is an RFC 5545 rule (src-shared/recurrence.ts,
 * expanded by rrule-temporal in the provider's location zone) plus one ordinary appointment per occurrence, each
 * checked like a single booking and pushed as its own `appointment.book` carrying the series id (the server checks
 * that its start is an occurrence of the rule, and every booking rule). Edits and cancellations take a scope:
 * one visit (EXDATE), this and the following visits, or the whole series still to come (the rule ends with UNTIL
 * before the first one changed; moved visits become a new series from their new time).
 */
import type {
  AppointmentRecord,
  CancelCode,
  ProviderRecord,
  SeriesRecord,
  StaffRecord,
} from '../../src-shared/domain';
import { ApiError } from '../../src-shared/errors';
import {
  endedBefore,
  parseSeriesRule,
  RecurrenceError,
  seriesOccurrences,
  seriesRuleText,
  withExdates,
  type SeriesPattern,
} from '../../src-shared/recurrence';
import {
  pastBookingProblem,
  patientOverlaps,
  transitionProblem,
  visitTypeProblem,
  type ClinicClock,
} from '../../src-shared/schedule-rules';
import { CANCEL_CODE_LABEL } from '../../src-shared/cancel-codes';
import { bookableOnPc, providerClosedOnPc } from './availability';
import { PROVIDER_CLOSED_MESSAGE } from '../../src-shared/provider-bookings';
import { addLocalDays, instantAtLocal, localDateOf, localMinuteOf } from '../../src-shared/clinic-time';
import type { MutationOp } from '../../src-shared/sync';
import type { OccurrenceCheck, SeriesBooked, SeriesPreview } from '../../src-shared/views';
import type { Clock } from '../base/adapters';
import { uuidv7 } from '../base/ids';
import { virtualVisitLink } from '../../src-shared/virtual-visit';
import type { Store } from '../store/store';
import { recordLocalMutation, type MutationEntity } from '../sync/local-mutations';
import { holdsSlot, overlaps } from './slots';

/** What a series is booked as (the booking dialog's answers). `start`/`end` are the first visit's UTC instants. */
export interface SeriesInput {
  patientId: string;
  providerId: string;
  start: string;
  end: string;
  freq: SeriesPattern['freq'];
  interval: number;
  count?: number;
  until?: string;
  visitTypeId?: string;
}

export type SeriesScope = 'one' | 'following' | 'all';

/** The location's zone of a provider, for rules and guardrails. */
type ZoneOf = (provider: ProviderRecord) => { timeZone: string; walkInMinutes: number };

const recurrenceError = (e: unknown): never => {
  if (e instanceof RecurrenceError) throw new ApiError('VALIDATION', e.message);
  throw e;
};

export class SeriesService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly afterWrite: () => void,
    private readonly zoneOf: ZoneOf,
    /** Days ahead this PC holds the schedule (the store window, admin-set; DESIGN §4). */
    private readonly scheduleAheadDays: () => number = () => 180,
  ) {}

  private provider(providerId: string): ProviderRecord {
    const provider = this.store.providers.byId(providerId);
    if (!provider) throw new ApiError('NOT_FOUND', 'No such provider.');
    return provider;
  }

  /**
   * The provider a series is booked or moved to: NOT_FOUND when unknown, CONFLICT (PROVIDER_CLOSED_MESSAGE) when
   * they take no new bookings (src-shared/provider-bookings.ts; review 9 R9-1), before any occurrence is checked
   * or anything is queued, as appointment.book does (schedule-service.ts assertSlotFree).
   */
  private bookingProvider(providerId: string): ProviderRecord {
    const provider = this.provider(providerId);
    if (providerClosedOnPc(this.store, provider.id)) throw new ApiError('CONFLICT', PROVIDER_CLOSED_MESSAGE);
    return provider;
  }

  /**
   * Why one occurrence [start, end) cannot be booked now, or null: the same checks as a single booking, through
   * the shared rules (src-shared/schedule-rules.ts: the provider's bookable time, the past, the visit type) and
   * the appointments on this PC (the provider's other visits, the patient's other visits). `moving` are visits
   * about to be cancelled by the same action (their slots count as free).
   */
  private occurrenceProblem(
    provider: ProviderRecord,
    patientId: string,
    start: string,
    end: string,
    visitTypeId: string | undefined,
    moving: ReadonlySet<string>,
  ): string | null {
    const location = this.zoneOf(provider);
    // Working blocks, lunch / admin time, leave and holidays too (session 4, 13c: issue 13 §3).
    const grid = bookableOnPc(this.store, provider, location, start, end);
    if (grid) return grid;
    if (visitTypeId !== undefined) {
      const visitType = this.store.visitTypes.byId(visitTypeId);
      if (!visitType) return 'No such visit type.';
      const typeProblem = visitTypeProblem(visitType, provider.id, start, end);
      if (typeProblem) return typeProblem;
    }
    const clock: ClinicClock = { nowMs: this.clock.now(), ...location };
    const past = pastBookingProblem(start, clock);
    if (past) return past;
    const taken = this.store.appointments
      .overlapping('provider', provider.id, start, end, null)
      .some((a) => !moving.has(a.id) && holdsSlot(a.status) && overlaps(a.start, a.end, start, end));
    if (taken) return `${provider.name} already has a visit at this time.`;
    const patient = patientOverlaps(
      this.store.appointments.overlapping('patient', patientId, start, end, null),
      start,
      end,
    ).filter((a) => !moving.has(a.id));
    if (patient.length > 0) return 'The patient already has another visit at this time.';
    return null;
  }

  private checks(
    rule: string,
    provider: ProviderRecord,
    patientId: string,
    minutes: number,
    visitTypeId: string | undefined,
    moving: ReadonlySet<string> = new Set(),
  ): OccurrenceCheck[] {
    let starts: string[] = [];
    try {
      starts = seriesOccurrences(rule);
    } catch (e) {
      recurrenceError(e);
    }
    // The series must end within the store window: visits beyond it would leave this PC (evicted) and a later
    // "this and following" could not reach them.
    const days = this.scheduleAheadDays();
    const limit = this.clock.now() + days * 86_400_000;
    if (starts.some((s) => Date.parse(s) >= limit))
      throw new ApiError(
        'VALIDATION',
        `A series must end within the ${days} days ahead this PC holds the schedule: end it sooner.`,
      );
    return starts.map((start) => {
      const end = new Date(Date.parse(start) + minutes * 60_000).toISOString();
      return {
        start,
        end,
        problem: this.occurrenceProblem(provider, patientId, start, end, visitTypeId, moving),
      };
    });
  }

  private ruleOf(input: SeriesInput, provider: ProviderRecord): string {
    if ((input.count === undefined) === (input.until === undefined))
      throw new ApiError('VALIDATION', 'Say how the series ends: after a number of visits or on a date.');
    const pattern: SeriesPattern = {
      freq: input.freq,
      interval: input.interval,
      ...(input.count !== undefined ? { count: input.count } : {}),
      ...(input.until !== undefined ? { until: input.until } : {}),
    };
    try {
      return seriesRuleText(input.start, this.zoneOf(provider).timeZone, pattern);
    } catch (e) {
      return recurrenceError(e);
    }
  }

  private minutesOf(start: string, end: string): number {
    const minutes = (Date.parse(end) - Date.parse(start)) / 60_000;
    if (!Number.isInteger(minutes) || minutes < 5 || minutes > 480)
      throw new ApiError('VALIDATION', 'A visit lasts 5 minutes to 8 hours.');
    return minutes;
  }

  /** The occurrences the series would have, each checked (nothing is written). */
  preview(input: SeriesInput): SeriesPreview {
    if (!this.store.patients.byId(input.patientId)) throw new ApiError('NOT_FOUND', 'No such patient.');
    const provider = this.provider(input.providerId);
    const rule = this.ruleOf(input, provider);
    const minutes = this.minutesOf(input.start, input.end);
    return { rule, occurrences: this.checks(rule, provider, input.patientId, minutes, input.visitTypeId) };
  }

  private write(
    staff: StaffRecord,
    entity: MutationEntity,
    entityId: string,
    base: number | null,
    op: MutationOp,
  ) {
    recordLocalMutation(this.store, this.clock, {
      entity,
      entityId,
      baseVersion: base,
      staffId: staff.id,
      mutation: op,
    });
  }

  /**
   * Write a new series and book its bookable occurrences, in one local transaction (series.create first, then
   * one appointment.book per visit, pushed in that order). Occurrences with a problem are left out of the rule
   * as EXDATEs when `skipConflicts`; otherwise CONFLICT names how many cannot be booked.
   */
  private create(
    staff: StaffRecord,
    base: { patientId: string; provider: ProviderRecord; rule: string; minutes: number; reason: string },
    opts: { visitTypeId: string | undefined; virtual: boolean; skipConflicts: boolean },
    checks: OccurrenceCheck[],
    before: () => void = () => undefined,
  ): SeriesBooked {
    const skipped = checks.filter((c) => c.problem !== null);
    const bookable = checks.filter((c) => c.problem === null);
    if (bookable.length === 0)
      throw new ApiError(
        'CONFLICT',
        `None of the ${checks.length} visits can be booked: ${skipped[0]?.problem ?? ''}`,
      );
    if (skipped.length > 0 && !opts.skipConflicts)
      throw new ApiError(
        'CONFLICT',
        `${skipped.length} of ${checks.length} visits cannot be booked. Book the other ${bookable.length}, or change the series.`,
      );
    const rule =
      skipped.length > 0
        ? withExdates(
            base.rule,
            skipped.map((c) => c.start),
          )
        : base.rule;
    const seriesId = uuidv7(this.clock.now());
    const appointmentIds: string[] = [];
    this.store.transaction(() => {
      before();
      this.write(staff, 'series', seriesId, null, {
        op: 'series.create',
        patientId: base.patientId,
        providerId: base.provider.id,
        rule,
        minutes: base.minutes,
        reason: base.reason,
        visitTypeId: opts.visitTypeId ?? null,
        virtual: opts.virtual,
      });
      for (const c of bookable) {
        const appointmentId = uuidv7(this.clock.now());
        appointmentIds.push(appointmentId);
        this.write(staff, 'appointment', appointmentId, null, {
          op: 'appointment.book',
          patientId: base.patientId,
          providerId: base.provider.id,
          start: c.start,
          end: c.end,
          reason: base.reason,
          virtualLink: opts.virtual ? virtualVisitLink(appointmentId) : null,
          seriesId,
          ...(opts.visitTypeId !== undefined ? { visitTypeId: opts.visitTypeId } : {}),
        });
      }
    });
    this.afterWrite();
    return { seriesId, appointmentIds, skipped };
  }

  /** Book a recurring series (see create). Returns the series id, the visits booked and the occurrences left out. */
  book(
    staff: StaffRecord,
    input: SeriesInput & { reason: string; virtual: boolean; skipConflicts: boolean },
  ): SeriesBooked {
    if (!this.store.patients.byId(input.patientId)) throw new ApiError('NOT_FOUND', 'No such patient.');
    const provider = this.bookingProvider(input.providerId);
    const rule = this.ruleOf(input, provider);
    const minutes = this.minutesOf(input.start, input.end);
    const checks = this.checks(rule, provider, input.patientId, minutes, input.visitTypeId);
    return this.create(
      staff,
      { patientId: input.patientId, provider, rule, minutes, reason: input.reason },
      { visitTypeId: input.visitTypeId, virtual: input.virtual, skipConflicts: input.skipConflicts },
      checks,
    );
  }

  private seriesOf(appointmentId: string): { appt: AppointmentRecord; series: SeriesRecord } {
    const appt = this.store.appointments.byId(appointmentId);
    if (!appt) throw new ApiError('NOT_FOUND', 'This appointment is not on this PC.');
    const series = appt.seriesId ? this.store.series.byId(appt.seriesId) : null;
    if (!series) throw new ApiError('VALIDATION', 'This visit is not part of a recurring series.');
    return { appt, series };
  }

  /**
   * The visits a scope covers, in time order: `one` the visit itself; `following` it and the series' later
   * visits still to be held; `all` every visit of the series still to come (from now on). Only visits the status
   * flow lets change (src-shared/schedule-rules.ts TRANSITIONS) are included.
   */
  private targets(appt: AppointmentRecord, series: SeriesRecord, scope: SeriesScope): AppointmentRecord[] {
    if (scope === 'one') return [appt];
    const now = this.clock.now();
    const from = scope === 'following' ? Date.parse(appt.start) : now;
    const found = this.store.appointments
      .ofSeries(series.id)
      .filter((a) => Date.parse(a.start) >= from && transitionProblem(a, 'reschedule') === null);
    if (found.length === 0) throw new ApiError('VALIDATION', 'No visit of this series is left to change.');
    return found;
  }

  /** The series' rule once `targets` leave it: an EXDATE for one visit, else ended (UNTIL) before the first. */
  private shrunkRule(series: SeriesRecord, targets: AppointmentRecord[], scope: SeriesScope): string | null {
    const occurrences = seriesOccurrences(series.rule);
    if (scope === 'one') {
      // A visit moved off its occurrence earlier is already off the rule's times: nothing to exclude.
      const at = targets[0]!.start;
      return occurrences.includes(at) ? withExdates(series.rule, [at]) : null;
    }
    const next = endedBefore(series.rule, targets[0]!.start);
    return next === series.rule ? null : next;
  }

  /**
   * After one visit of a series was moved on its own (appointment.reschedule, in the caller's transaction): its
   * old time leaves the rule as an EXDATE, so the series cannot be booked there again; the visit stays in the
   * series (RFC 5545 would carry it as a RECURRENCE-ID override).
   */
  excludeMovedVisit(staff: StaffRecord, appt: AppointmentRecord): void {
    const series = appt.seriesId ? this.store.series.byId(appt.seriesId) : null;
    if (!series || !seriesOccurrences(series.rule).includes(appt.start)) return;
    this.write(staff, 'series', series.id, series.version, {
      op: 'series.setRule',
      rule: withExdates(series.rule, [appt.start]),
    });
  }

  /** Cancel one visit, this and the following ones, or the whole series still to come (coded reason). */
  cancel(
    staff: StaffRecord,
    appointmentId: string,
    scope: SeriesScope,
    code: CancelCode,
    text?: string,
  ): number {
    const { appt, series } = this.seriesOf(appointmentId);
    const targets = this.targets(appt, series, scope).filter((a) => transitionProblem(a, 'cancel') === null);
    if (targets.length === 0)
      throw new ApiError('CONFLICT', transitionProblem(appt, 'cancel') ?? 'Nothing to cancel.');
    const rule = this.shrunkRule(series, targets, scope);
    const reason = text?.trim() || CANCEL_CODE_LABEL[code];
    this.store.transaction(() => {
      for (const a of targets)
        this.write(staff, 'appointment', a.id, a.version, { op: 'appointment.cancel', reason, code });
      if (rule !== null)
        this.write(staff, 'series', series.id, series.version, { op: 'series.setRule', rule });
    });
    this.afterWrite();
    return targets.length;
  }

  /**
   * Move this and the following visits, or the whole series still to come, to a new first time (and provider):
   * the old series ends (UNTIL) before the first moved visit, the moved visits are cancelled ('rescheduled'), and
   * a new series from `start` with the same repeat books them again on the same occurrences of the pattern (the
   * visits the old series no longer had there are EXDATEs of the new one), each checked. One local transaction.
   * A visit moved on its own earlier is off the rule and stays where it is.
   */
  reschedule(
    staff: StaffRecord,
    appointmentId: string,
    scope: 'following' | 'all',
    move: { providerId: string; start: string; end: string; skipConflicts: boolean },
  ): SeriesBooked {
    const { appt, series } = this.seriesOf(appointmentId);
    const old = parseSeriesRule(series.rule);
    // The pattern's occurrences before any EXDATE: the moved visits keep their places in it.
    const raw = seriesOccurrences({ ...old, exdates: [] });
    const targets = this.targets(appt, series, scope).filter((a) => raw.includes(a.start));
    if (targets.length === 0) throw new ApiError('VALIDATION', 'No visit of this series is left to move.');
    const places = new Set(targets.map((a) => raw.indexOf(a.start)));
    const first = Math.min(...places);
    const last = Math.max(...places);
    const provider = this.bookingProvider(move.providerId);
    const minutes = this.minutesOf(move.start, move.end);
    const zone = this.zoneOf(provider).timeZone;
    // `move` is the new time of the visit the person opened; the first moved visit (the whole series: the first
    // still to come) takes the same change: the same number of days later or earlier, at the new wall clock.
    const oldZone = this.zoneOf(this.provider(series.providerId)).timeZone;
    const shiftDays =
      (Date.parse(`${localDateOf(move.start, zone)}T00:00:00Z`) -
        Date.parse(`${localDateOf(appt.start, oldZone)}T00:00:00Z`)) /
      86_400_000;
    const firstAt = instantAtLocal(
      addLocalDays(localDateOf(targets[0]!.start, oldZone), shiftDays),
      localMinuteOf(move.start, zone),
      zone,
    );
    if (firstAt === null)
      throw new ApiError('VALIDATION', 'That time does not exist on the first visit’s day.');
    const firstStart = new Date(firstAt).toISOString();
    let rule: string;
    try {
      const fresh = seriesRuleText(firstStart, zone, {
        freq: old.freq,
        interval: old.interval,
        count: last - first + 1,
      });
      const freshRaw = seriesOccurrences(fresh);
      const gaps: string[] = [];
      for (let k = first; k <= last; k++) {
        const at = freshRaw[k - first];
        if (!places.has(k) && at !== undefined) gaps.push(at);
      }
      rule = gaps.length > 0 ? withExdates(fresh, gaps) : fresh;
    } catch (e) {
      rule = recurrenceError(e);
    }
    const moving = new Set(targets.map((a) => a.id));
    // The visit type stays while the length does (a changed length books plain visits).
    const visitTypeId = minutes === series.minutes ? (series.visitTypeId ?? undefined) : undefined;
    const checks = this.checks(rule, provider, series.patientId, minutes, visitTypeId, moving);
    const ended = this.shrunkRule(series, targets, 'following');
    return this.create(
      staff,
      { patientId: series.patientId, provider, rule, minutes, reason: series.reason },
      {
        visitTypeId,
        virtual: series.virtual,
        skipConflicts: move.skipConflicts,
      },
      checks,
      () => {
        for (const a of targets)
          this.write(staff, 'appointment', a.id, a.version, {
            op: 'appointment.cancel',
            reason: CANCEL_CODE_LABEL.rescheduled,
            code: 'rescheduled',
          });
        if (ended !== null)
          this.write(staff, 'series', series.id, series.version, { op: 'series.setRule', rule: ended });
      },
    );
  }
}
