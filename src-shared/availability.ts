/**
 * Availability (issue 13 §3): weekly templates per provider and location, and exceptions (holidays, leave, one-off
 * sessions). One copy of the rules for the console's local checks, the renderer's day grid and the portal
 * backend's authoritative checks (src-shared/schedule-rules.ts re-exports them).
 *
 * Every time here is a wall-clock minute (0..1440) on a local date at the provider's location, turned into
 * instants only through src-shared/clinic-time.ts (Temporal polyfill, IANA zones): a 12:00 lunch stays 12:00
 * across a daylight-saving change, and a wall time skipped by the change is never offered.
 *
 * - A provider without a template works `dayStartMinute`–`dayEndMinute` every day (the meaning before templates).
 * - A template's 'work' blocks of the weekday replace that; its 'lunch' and 'admin' blocks are never bookable.
 * - A 'session' exception adds a working block on its dates; a 'holiday' (a location closed; one provider when
 *   `providerId` is set) or 'leave' (a provider away) closes the whole day, or only its minutes when given. A
 *   closed day stays closed even with a session on it.
 */
import { z } from 'zod';
import {
  instantAtLocal,
  instantsAtLocal,
  isLocalDate,
  isoWeekday,
  LocalDate,
  localDateOf,
  localMinuteOf,
  minuteLabel,
} from './clinic-time';
import type { LocationRecord, ProviderRecord } from './domain';

const id = z.string().min(1).max(64);
const localDate = LocalDate;
const minute = z.number().int().min(0).max(1440);

/** Kinds of a weekly template block: 'work' is bookable, 'lunch' and 'admin' time are not. */
export const BLOCK_KINDS = ['work', 'lunch', 'admin'] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

/** One block of a weekly template: ISO weekday (1 = Monday … 7 = Sunday), wall-clock minutes [start, end). */
export const AvailabilityBlock = z.strictObject({
  weekday: z.number().int().min(1).max(7),
  startMinute: minute,
  endMinute: minute,
  kind: z.enum(BLOCK_KINDS),
});
export type AvailabilityBlock = z.infer<typeof AvailabilityBlock>;

/** A provider's weekly template at a location (one per provider and location). */
export const AvailabilityTemplateRecord = z.strictObject({
  id,
  providerId: id,
  locationId: id,
  blocks: z.array(AvailabilityBlock).max(200),
  version: z.number().int().nonnegative(),
});
export type AvailabilityTemplateRecord = z.infer<typeof AvailabilityTemplateRecord>;

export const EXCEPTION_KINDS = ['holiday', 'leave', 'session'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/**
 * An exception to the weekly templates on the local dates `fromDate`..`toDate` (inclusive) at a location:
 * - holiday: the location is closed (every provider there, or only `providerId`'s column when set);
 * - leave: `providerId` is away;
 * - session: `providerId` works `startMinute`–`endMinute` on each of those dates (required for a session).
 * A holiday or leave with minutes closes only those minutes.
 */
export const AvailabilityExceptionRecord = z.strictObject({
  id,
  kind: z.enum(EXCEPTION_KINDS),
  locationId: id,
  providerId: id.nullable(),
  fromDate: localDate,
  toDate: localDate,
  startMinute: minute.nullable(),
  endMinute: minute.nullable(),
  /** Shown on the day grid, e.g. "Thanksgiving" (no patient data). */
  label: z.string().max(200),
  version: z.number().int().nonnegative(),
});
export type AvailabilityExceptionRecord = z.infer<typeof AvailabilityExceptionRecord>;

/** The longest date range one exception may cover (days, inclusive). */
export const MAX_EXCEPTION_DAYS = 366;

export const BLOCK_LABEL: Record<BlockKind | 'leave' | 'holiday', string> = {
  work: 'Working',
  lunch: 'Lunch',
  admin: 'Admin time',
  leave: 'Leave',
  holiday: 'Holiday',
};

/** Why a weekly template's blocks are malformed, or null: each block ends after it starts; work blocks of one day do not overlap. */
export function templateProblem(blocks: readonly AvailabilityBlock[]): string | null {
  for (const b of blocks) {
    if (b.endMinute <= b.startMinute) return 'A block must end after it starts.';
  }
  for (let day = 1; day <= 7; day++) {
    const work = blocks
      .filter((b) => b.weekday === day && b.kind === 'work')
      .sort((a, b) => a.startMinute - b.startMinute);
    for (let i = 1; i < work.length; i++)
      if (work[i]!.startMinute < work[i - 1]!.endMinute) return 'Working blocks of one day overlap.';
  }
  return null;
}

/** Why an exception is malformed, or null (the server and the console's router both ask). */
export function exceptionProblem(
  e: Pick<
    AvailabilityExceptionRecord,
    'kind' | 'providerId' | 'fromDate' | 'toDate' | 'startMinute' | 'endMinute'
  >,
): string | null {
  if (!isLocalDate(e.fromDate) || !isLocalDate(e.toDate)) return 'Not a real date.';
  const from = Date.parse(`${e.fromDate}T00:00:00Z`);
  const to = Date.parse(`${e.toDate}T00:00:00Z`);
  if (to < from) return 'The last day is before the first.';
  if ((to - from) / 86_400_000 + 1 > MAX_EXCEPTION_DAYS)
    return `An exception covers at most ${MAX_EXCEPTION_DAYS} days.`;
  if (e.kind !== 'holiday' && e.providerId === null) return 'Leave and sessions are for one provider.';
  if ((e.startMinute === null) !== (e.endMinute === null))
    return 'Give both the start and end time, or neither.';
  if (e.kind === 'session' && e.startMinute === null) return 'A session needs its start and end time.';
  if (e.startMinute !== null && e.endMinute !== null && e.endMinute <= e.startMinute)
    return 'The end time must be after the start time.';
  return null;
}

/** What a provider's day is read from: their template at their location (or none) and the exceptions there. */
export interface ProviderAvailability {
  template: Pick<AvailabilityTemplateRecord, 'blocks'> | null;
  exceptions: readonly AvailabilityExceptionRecord[];
}

type PlanProvider = Pick<
  ProviderRecord,
  'id' | 'name' | 'locationId' | 'slotMinutes' | 'dayStartMinute' | 'dayEndMinute'
>;

/** A non-bookable stretch of a provider's day, wall-clock minutes. */
export interface OffBlock {
  startMinute: number;
  endMinute: number;
  kind: 'lunch' | 'admin' | 'leave' | 'holiday';
  /** What the grid says, e.g. "Lunch", "Holiday: Thanksgiving". */
  label: string;
}

/** A provider's local day: working periods (merged, sorted) and what of it is not bookable. */
export interface DayPlan {
  date: string;
  work: { startMinute: number; endMinute: number }[];
  off: OffBlock[];
  /** Set when the whole day is closed (holiday or leave): `work` is then empty. */
  closed: OffBlock | null;
  /** True when the day's hours come from a template or a session rather than the provider's default hours. */
  templated: boolean;
}

/** True when the exception applies to this provider: at its location, for everyone there (holiday) or for it. */
export function exceptionApplies(
  e: Pick<AvailabilityExceptionRecord, 'locationId' | 'providerId'>,
  provider: Pick<ProviderRecord, 'id' | 'locationId'>,
): boolean {
  return e.locationId === provider.locationId && (e.providerId === null || e.providerId === provider.id);
}

const labelOf = (e: AvailabilityExceptionRecord): string => {
  const base = BLOCK_LABEL[e.kind === 'session' ? 'work' : e.kind];
  return e.label.trim() ? `${base}: ${e.label.trim()}` : base;
};

function merge(blocks: { startMinute: number; endMinute: number }[]) {
  const sorted = [...blocks].sort((a, b) => a.startMinute - b.startMinute);
  const out: { startMinute: number; endMinute: number }[] = [];
  for (const b of sorted) {
    const last = out[out.length - 1];
    if (last && b.startMinute <= last.endMinute) last.endMinute = Math.max(last.endMinute, b.endMinute);
    else out.push({ ...b });
  }
  return out;
}

/** The plan of a provider's local day `date` (YYYY-MM-DD) at the provider's location. */
export function dayPlan(provider: PlanProvider, availability: ProviderAvailability, date: string): DayPlan {
  const weekday = isoWeekday(date);
  const today = availability.exceptions.filter(
    (e) => exceptionApplies(e, provider) && e.fromDate <= date && date <= e.toDate,
  );
  const sessions = today
    .filter((e) => e.kind === 'session' && e.startMinute !== null && e.endMinute !== null)
    .map((e) => ({ startMinute: e.startMinute!, endMinute: e.endMinute! }));
  const template = availability.template;
  const base = template
    ? template.blocks
        .filter((b) => b.weekday === weekday && b.kind === 'work')
        .map((b) => ({ startMinute: b.startMinute, endMinute: b.endMinute }))
    : provider.dayEndMinute > provider.dayStartMinute
      ? [{ startMinute: provider.dayStartMinute, endMinute: provider.dayEndMinute }]
      : [];
  const work = merge([...base, ...sessions]);
  const off: OffBlock[] = [];
  for (const b of template?.blocks ?? []) {
    if (b.weekday !== weekday || b.kind === 'work') continue;
    off.push({
      startMinute: b.startMinute,
      endMinute: b.endMinute,
      kind: b.kind,
      label: BLOCK_LABEL[b.kind],
    });
  }
  let closed: OffBlock | null = null;
  for (const e of today) {
    if (e.kind === 'session') continue;
    if (e.startMinute !== null && e.endMinute !== null) {
      off.push({ startMinute: e.startMinute, endMinute: e.endMinute, kind: e.kind, label: labelOf(e) });
    } else if (!closed || (closed.kind === 'leave' && e.kind === 'holiday')) {
      const span = work.length
        ? { startMinute: work[0]!.startMinute, endMinute: work[work.length - 1]!.endMinute }
        : { startMinute: provider.dayStartMinute, endMinute: provider.dayEndMinute };
      closed = { ...span, kind: e.kind, label: labelOf(e) };
    }
  }
  off.sort((a, b) => a.startMinute - b.startMinute);
  return {
    date,
    work: closed ? [] : work,
    off: closed ? [closed] : off,
    closed,
    templated: template !== null || sessions.length > 0,
  };
}

/** A slot of a provider's day: its wall-clock minute and UTC instants, bookable or not (with the reason). */
export interface PlanSlot {
  providerId: string;
  date: string;
  startMinute: number;
  start: string;
  end: string;
  /** null: bookable (by the template; bookings and the clock are not looked at here). */
  off: OffBlock | null;
}

const overlapsMinutes = (a: { startMinute: number; endMinute: number }, s: number, e: number) =>
  a.startMinute < e && s < a.endMinute;

/**
 * The slots of a provider's day: `slotMinutes` apart from the start of each working period, each marked with the
 * non-bookable block it overlaps (lunch, admin, partial leave), if any. A wall time the day does not have (a DST
 * gap) is left out. A closed day has no slots (its `closed` block says why).
 */
export function planSlots(
  provider: PlanProvider,
  location: Pick<LocationRecord, 'timeZone'>,
  plan: DayPlan,
): PlanSlot[] {
  const out: PlanSlot[] = [];
  const step = provider.slotMinutes;
  const zone = location.timeZone;
  for (const w of plan.work) {
    for (let m = w.startMinute; m + step <= w.endMinute; m += step) {
      // A wall time repeated at a fall-back change is served as both of its occurrences, each running the slot's
      // elapsed length from its instant (as slotGrid in src-shared/schedule-rules.ts).
      const repeated = instantsAtLocal(plan.date, m, zone);
      const spans =
        repeated.length === 2
          ? repeated.map((at) => [at, at + step * 60_000] as const)
          : [[instantAtLocal(plan.date, m, zone), instantAtLocal(plan.date, m + step, zone)] as const];
      for (const [s, e] of spans) {
        if (s === null || e === null || e <= s) continue;
        out.push({
          providerId: provider.id,
          date: plan.date,
          startMinute: m,
          start: new Date(s).toISOString(),
          end: new Date(e).toISOString(),
          off: plan.off.find((o) => overlapsMinutes(o, m, m + step)) ?? null,
        });
      }
    }
  }
  if (out.some((slot, i) => i > 0 && slot.start < out[i - 1]!.start))
    out.sort((a, b) => (a.start < b.start ? -1 : 1));
  return out;
}

/**
 * Why [start, end) (UTC instants) cannot be booked with this provider by its availability, or null: it must start
 * and end on one local day at the provider's location, inside one working period and on its `slotMinutes` grid,
 * on a day that is not closed (holiday, leave), overlapping no lunch, admin time or partial leave. Without a
 * template or session the working period is the provider's default hours: that is `slotProblem`
 * (src-shared/schedule-rules.ts), which calls this with no availability.
 */
export function bookableProblem(
  provider: PlanProvider,
  location: Pick<LocationRecord, 'timeZone'>,
  availability: ProviderAvailability,
  start: string,
  end: string,
): string | null {
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (!Number.isFinite(s) || !Number.isFinite(e)) return 'The start or end time is not a real time.';
  if (e <= s) return 'The appointment must end after it starts.';
  const zone = location.timeZone;
  const date = localDateOf(s, zone);
  const endDate = localDateOf(e, zone);
  const startMinute = localMinuteOf(s, zone);
  // An end at local midnight belongs to the day it closes.
  const endMinute = endDate !== date && localMinuteOf(e, zone) === 0 ? 1440 : localMinuteOf(e, zone);
  if (endDate !== date && endMinute !== 1440) return 'The appointment must start and end on the same day.';
  const plan = dayPlan(provider, availability, date);
  if (plan.closed) {
    return plan.closed.kind === 'holiday'
      ? `${plan.closed.label}: the clinic is closed on ${date}; nothing can be booked that day.`
      : `${provider.name} is on leave on ${date} (${plan.closed.label}); nothing can be booked with them that day.`;
  }
  const period = plan.work.find((w) => w.startMinute <= startMinute && endMinute <= w.endMinute);
  if (!period) {
    const hours = plan.work.map((w) => `${minuteLabel(w.startMinute)}–${minuteLabel(w.endMinute)}`);
    return hours.length === 0
      ? `${provider.name} does not work on ${date}.`
      : `Outside ${provider.name}'s working hours (${hours.join(', ')} ${zone}).`;
  }
  const slot = provider.slotMinutes;
  // Either occurrence of a wall time repeated at a fall-back change is on the grid.
  const onGrid = (m: number, at: number) =>
    (m - period.startMinute) % slot === 0 &&
    (instantAtLocal(date, m, zone) === at || instantsAtLocal(date, m, zone).includes(at));
  if (s % 60_000 !== 0 || e % 60_000 !== 0 || !onGrid(startMinute, s) || !onGrid(endMinute, e))
    return `Not on ${provider.name}'s ${slot}-minute slot grid.`;
  const off = plan.off.find((o) => overlapsMinutes(o, startMinute, endMinute));
  if (off)
    return `${off.label} (${minuteLabel(off.startMinute)}–${minuteLabel(off.endMinute)} ${zone}) is not bookable.`;
  return null;
}

/** A candidate found by `nextFreeSlots`. */
export interface FreeSlot {
  providerId: string;
  locationId: string;
  /** Local date and wall-clock minute at the provider's location. */
  date: string;
  startMinute: number;
  start: string;
  end: string;
}

/** What `nextFreeSlots` searches: one provider who offers the visit type, with its location and holdings. */
export interface FreeSlotSource {
  provider: PlanProvider;
  location: Pick<LocationRecord, 'id' | 'timeZone'>;
  availability: ProviderAvailability;
  /** Slot-holding visits of this provider in the searched range (UTC instants). */
  busy: readonly { start: string; end: string }[];
}

/**
 * The earliest free starts for a visit of `minutes` (issue 13 §5 "next free slot"): across the sources' providers,
 * on local dates `fromDate`..`toDate` at each provider's location, starting on the provider's slot grid within the
 * wall-clock window [windowStart, windowEnd) (e.g. 480–720 for mornings), bookable by `bookableProblem`, clear of
 * every busy visit, and not refused by `isPast` (the guardrail of issue 13 §6). Sorted by start instant, then
 * provider name; at most `limit`.
 */
export function nextFreeSlots(input: {
  sources: readonly FreeSlotSource[];
  minutes: number;
  fromDate: string;
  toDate: string;
  windowStart: number;
  windowEnd: number;
  limit: number;
  isPast: (start: string, source: FreeSlotSource) => boolean;
  addDays: (date: string, n: number) => string;
}): FreeSlot[] {
  const found: { slot: FreeSlot; name: string }[] = [];
  // Local dates differ by at most a day between zones: once enough are found, one more day may still hold earlier
  // instants, and no later day can.
  let last = input.toDate;
  for (let date = input.fromDate; date <= last; date = input.addDays(date, 1)) {
    for (const source of input.sources) {
      const { provider, location } = source;
      if (input.minutes % provider.slotMinutes !== 0) continue;
      const plan = dayPlan(provider, source.availability, date);
      for (const cell of planSlots(provider, location, plan)) {
        const m = cell.startMinute;
        if (m < input.windowStart || m >= input.windowEnd) continue;
        const endAt = instantAtLocal(date, m + input.minutes, location.timeZone);
        if (endAt === null) continue;
        const end = new Date(endAt).toISOString();
        if (bookableProblem(provider, location, source.availability, cell.start, end) !== null) continue;
        const s = Date.parse(cell.start);
        if (source.busy.some((b) => Date.parse(b.start) < endAt && s < Date.parse(b.end))) continue;
        if (input.isPast(cell.start, source)) continue;
        found.push({
          slot: {
            providerId: provider.id,
            locationId: location.id,
            date,
            startMinute: m,
            start: cell.start,
            end,
          },
          name: provider.name,
        });
      }
    }
    if (found.length >= input.limit && last === input.toDate) {
      const next = input.addDays(date, 1);
      if (next < last) last = next;
    }
  }
  return sortFound(found)
    .slice(0, input.limit)
    .map((f) => f.slot);
}

const sortFound = <T extends { slot: FreeSlot; name: string }>(list: T[]): T[] =>
  list.sort(
    (a, b) =>
      Date.parse(a.slot.start) - Date.parse(b.slot.start) ||
      a.name.localeCompare(b.name) ||
      a.slot.providerId.localeCompare(b.slot.providerId),
  );

/* ---- admin requests (server/API.md "Availability"): PUT a template, POST / DELETE an exception ---- */

/** PUT /admin/availability/templates/:providerId — the provider's weekly template at their location. */
export const TemplateBody = z.strictObject({ blocks: z.array(AvailabilityBlock).max(200) });
export const TemplateResponse = z.strictObject({ template: AvailabilityTemplateRecord });
/** POST /admin/availability/exceptions — a new exception; the server gives it its id. */
export const ExceptionBody = AvailabilityExceptionRecord.omit({ id: true, version: true });
export type ExceptionBody = z.infer<typeof ExceptionBody>;
export const ExceptionResponse = z.strictObject({ exception: AvailabilityExceptionRecord });

/* ---- the console's contract (src-shared/contract.ts): admin screen and next-free-slot finder ---- */

/** availability.get: a provider's template at their location and the exceptions that touch them from a date on. */
export const AvailabilityAdminView = z.strictObject({
  providerId: id,
  locationId: id,
  /** null: no template yet (the provider works their default hours every day). */
  blocks: z.array(AvailabilityBlock).nullable(),
  exceptions: z.array(AvailabilityExceptionRecord),
});
export type AvailabilityAdminView = z.infer<typeof AvailabilityAdminView>;

/** availability.setTemplate */
export const SetTemplateInput = z
  .strictObject({ providerId: id, blocks: z.array(AvailabilityBlock).max(200) })
  .superRefine((v, ctx) => {
    const problem = templateProblem(v.blocks);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['blocks'] });
  });

/**
 * availability.addException: a holiday for the provider's location (`providerId` null: every provider there),
 * leave or a one-off session for one provider. The location is the provider's, or `locationId` for a holiday.
 */
export const AddExceptionInput = z
  .strictObject({
    kind: z.enum(EXCEPTION_KINDS),
    providerId: id.nullable(),
    locationId: id.optional(),
    fromDate: localDate,
    toDate: localDate,
    startMinute: minute.nullable(),
    endMinute: minute.nullable(),
    label: z.string().trim().max(200),
  })
  .superRefine((v, ctx) => {
    const problem = exceptionProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    if (v.providerId === null && v.locationId === undefined)
      ctx.addIssue({ code: 'custom', message: 'Name the provider or the location.' });
  });
export type AddExceptionInput = z.infer<typeof AddExceptionInput>;

/** The longest date range the next-free-slot finder searches (days, inclusive). */
export const MAX_SEARCH_DAYS = 62;

/** schedule.nextFree: a visit type, a local date range and a wall-clock time-of-day window. */
export const NextFreeQuery = z
  .strictObject({
    visitTypeId: id,
    fromDate: localDate,
    toDate: localDate,
    /** Wall-clock minutes at each provider's location: starts in [windowStart, windowEnd). */
    windowStart: minute.default(0),
    windowEnd: minute.default(1440),
    /** Only this provider / this location (default: every provider who offers the type, everywhere). */
    providerId: id.optional(),
    locationId: id.optional(),
    limit: z.number().int().min(1).max(50).default(10),
  })
  .superRefine((v, ctx) => {
    const from = Date.parse(`${v.fromDate}T00:00:00Z`);
    const to = Date.parse(`${v.toDate}T00:00:00Z`);
    if (!Number.isFinite(from) || !Number.isFinite(to) || to < from)
      ctx.addIssue({ code: 'custom', message: 'The last day must be on or after the first.' });
    else if ((to - from) / 86_400_000 + 1 > MAX_SEARCH_DAYS)
      ctx.addIssue({ code: 'custom', message: `Search at most ${MAX_SEARCH_DAYS} days at a time.` });
    if (v.windowEnd <= v.windowStart)
      ctx.addIssue({ code: 'custom', message: 'The time window must end after it starts.' });
  });
export type NextFreeQuery = z.input<typeof NextFreeQuery>;

/** One free start the finder offers: who, where, when (UTC instants and the location's wall clock). */
export const FreeSlotView = z.strictObject({
  providerId: z.string(),
  providerName: z.string(),
  locationId: z.string(),
  locationName: z.string(),
  timeZone: z.string(),
  date: z.string(),
  startMinute: z.number().int(),
  start: z.string(),
  end: z.string(),
});
export type FreeSlotView = z.infer<typeof FreeSlotView>;
