/**
 * Recurring appointments (issue 13 §4), one copy for the console core, the portal backend and the renderer.
 *
 * A series is stored as RFC 5545 text: a `DTSTART;TZID=<IANA zone>:<local wall time>` line, one `RRULE` line and
 * any `EXDATE` lines. Because DTSTART is a wall-clock time in the location's zone, every occurrence keeps that wall
 * clock across daylight-saving changes (09:00 stays 09:00), as RFC 5545 §3.3.10 prescribes. Expansion is done by
 * `rrule-temporal` (a maintained RFC 5545 engine on the Temporal API): there is no recurrence arithmetic here.
 *
 * The rules the clinic books are a strict subset, so that both sides can bound and check them:
 * - `FREQ=WEEKLY` or `FREQ=MONTHLY`, `INTERVAL` 1–26 ("every N weeks / months"), and exactly one of `COUNT` or
 *   `UNTIL` (a series always ends); no other rule part;
 * - at most MAX_SERIES_OCCURRENCES occurrences, counted before EXDATE exclusion;
 * - `EXDATE` values in UTC (`EXDATE:20261130T140000Z`), `UNTIL` in UTC as RFC 5545 requires with a TZID DTSTART.
 * A wall time that a spring change skips does not occur that day (RFC 5545: the occurrence is omitted; the library
 * does so); a monthly rule on the 31st skips shorter months.
 */
import { RRuleTemporal } from 'rrule-temporal';
import { Temporal } from 'temporal-polyfill';
import { isTimeZone, localDaysRange } from './clinic-time';

/** The most occurrences one series may have (a year of weekly visits). */
export const MAX_SERIES_OCCURRENCES = 52;
/** The longest rule text accepted (a full series with its EXDATE lines fits well within). */
export const MAX_RULE_LENGTH = 4000;
export const SERIES_FREQUENCIES = ['WEEKLY', 'MONTHLY'] as const;
export type SeriesFrequency = (typeof SERIES_FREQUENCIES)[number];
export const MAX_SERIES_INTERVAL = 26;

/**
 * What makes a rule unusable: `INVALID_RULE` (not of the subset above, or a zone this runtime does not know),
 * `TOO_MANY_OCCURRENCES` (more than MAX_SERIES_OCCURRENCES). The message names no patient data.
 */
export class RecurrenceError extends Error {
  constructor(
    readonly code: 'INVALID_RULE' | 'TOO_MANY_OCCURRENCES',
    message: string,
  ) {
    super(message);
    this.name = 'RecurrenceError';
  }
}

/** How a series repeats, as the booking dialog asks it. `until` is an inclusive local date at the location. */
export interface SeriesPattern {
  freq: SeriesFrequency;
  interval: number;
  count?: number;
  until?: string;
}

/** A rule of the subset, parsed. Instants are epoch ms (UTC). */
export interface SeriesRule {
  zone: string;
  /** DTSTART wall clock at `zone`, `YYYY-MM-DDTHH:MM:SS`. */
  dtstart: string;
  freq: SeriesFrequency;
  interval: number;
  count: number | null;
  until: number | null;
  exdates: number[];
}

const invalid = (why: string) => new RecurrenceError('INVALID_RULE', why);
const tooMany = () =>
  new RecurrenceError(
    'TOO_MANY_OCCURRENCES',
    `A series may have at most ${MAX_SERIES_OCCURRENCES} visits: end it sooner or repeat less often.`,
  );

/** `20261130T140000Z` for an instant (RFC 5545 DATE-TIME, UTC form). */
export function icsUtc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
const fromIcsUtc = (text: string): number =>
  Date.parse(
    `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(9, 11)}:${text.slice(11, 13)}:${text.slice(13, 15)}Z`,
  );
const icsLocal = (wall: string): string => wall.replace(/[-:]/g, '').slice(0, 15);
const fromIcsLocal = (text: string): string =>
  `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(9, 11)}:${text.slice(11, 13)}:${text.slice(13, 15)}`;

/** The rule text of a parsed rule (canonical line and part order). */
export function formatSeriesRule(rule: SeriesRule): string {
  const parts = [`FREQ=${rule.freq}`, `INTERVAL=${rule.interval}`];
  if (rule.count !== null) parts.push(`COUNT=${rule.count}`);
  if (rule.until !== null) parts.push(`UNTIL=${icsUtc(rule.until)}`);
  const lines = [`DTSTART;TZID=${rule.zone}:${icsLocal(rule.dtstart)}`, `RRULE:${parts.join(';')}`];
  for (const ex of [...rule.exdates].sort((a, b) => a - b)) lines.push(`EXDATE:${icsUtc(ex)}`);
  return lines.join('\n');
}

/**
 * Parse rule text of the subset (see the module comment). Throws RecurrenceError('INVALID_RULE') for anything
 * else: other rule parts, a missing end, both COUNT and UNTIL, an unknown zone, over-long text.
 */
export function parseSeriesRule(text: string): SeriesRule {
  if (typeof text !== 'string' || text.length > MAX_RULE_LENGTH)
    throw invalid('The repeat rule is too long.');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const head = /^DTSTART;TZID=([A-Za-z0-9_+\-/]{1,64}):(\d{8}T\d{6})$/.exec(lines[0] ?? '');
  if (!head || !isTimeZone(head[1]!)) throw invalid('The repeat rule needs a start in a known time zone.');
  const body = /^RRULE:([A-Z0-9=;]+)$/.exec(lines[1] ?? '');
  if (!body) throw invalid('The repeat rule has no RRULE line.');
  const rule: SeriesRule = {
    zone: head[1]!,
    dtstart: fromIcsLocal(head[2]!),
    freq: 'WEEKLY',
    interval: 1,
    count: null,
    until: null,
    exdates: [],
  };
  const seen = new Set<string>();
  for (const part of body[1]!.split(';')) {
    const [key, value, extra] = part.split('=');
    if (!key || value === undefined || extra !== undefined || seen.has(key))
      throw invalid('The repeat rule is malformed.');
    seen.add(key);
    if (key === 'FREQ' && (SERIES_FREQUENCIES as readonly string[]).includes(value))
      rule.freq = value as SeriesFrequency;
    else if (key === 'INTERVAL' && /^\d{1,2}$/.test(value)) rule.interval = Number(value);
    else if (key === 'COUNT' && /^\d{1,3}$/.test(value)) rule.count = Number(value);
    else if (key === 'UNTIL' && /^\d{8}T\d{6}Z$/.test(value)) rule.until = fromIcsUtc(value);
    else throw invalid('The repeat rule may only say FREQ (weekly or monthly), INTERVAL, COUNT or UNTIL.');
  }
  if (!seen.has('FREQ')) throw invalid('The repeat rule has no FREQ.');
  if (rule.interval < 1 || rule.interval > MAX_SERIES_INTERVAL)
    throw invalid(`A series repeats every 1 to ${MAX_SERIES_INTERVAL} weeks or months.`);
  if ((rule.count === null) === (rule.until === null))
    throw invalid('A series ends after a number of visits or on a date (one of the two).');
  if (rule.count !== null && rule.count < 1) throw invalid('A series has at least one visit.');
  if (rule.until !== null && !Number.isFinite(rule.until)) throw invalid('The end date is not a real date.');
  for (const line of lines.slice(2)) {
    const ex = /^EXDATE:(\d{8}T\d{6}Z)$/.exec(line);
    if (!ex) throw invalid('The repeat rule is malformed.');
    const ms = fromIcsUtc(ex[1]!);
    if (!Number.isFinite(ms)) throw invalid('An excluded date is not a real date.');
    rule.exdates.push(ms);
  }
  if (!Number.isFinite(Date.parse(`${rule.dtstart}Z`))) throw invalid('The start is not a real date.');
  try {
    // Exactly a calendar date and time (review 5: 31 February or 24:00 was a server failure, not a refusal).
    Temporal.PlainDateTime.from(rule.dtstart, { overflow: 'reject' });
  } catch {
    throw invalid('The start is not a real date.');
  }
  return rule;
}

/**
 * The occurrences of a rule as UTC instants (ISO `…Z`), ascending, EXDATEs removed. Throws RecurrenceError:
 * INVALID_RULE (see parseSeriesRule), TOO_MANY_OCCURRENCES when the rule has more than MAX_SERIES_OCCURRENCES
 * (counted before EXDATE exclusion, so excluding dates never lets a rule grow past the bound).
 */
export function seriesOccurrences(text: string | SeriesRule): string[] {
  const rule = typeof text === 'string' ? parseSeriesRule(text) : text;
  if (rule.count !== null && rule.count > MAX_SERIES_OCCURRENCES) throw tooMany();
  const dtstart = Temporal.PlainDateTime.from(rule.dtstart).toZonedDateTime(rule.zone, {
    disambiguation: 'earlier',
  });
  const engine = new RRuleTemporal({
    freq: rule.freq,
    interval: rule.interval,
    ...(rule.count !== null ? { count: rule.count } : {}),
    ...(rule.until !== null
      ? { until: Temporal.Instant.fromEpochMilliseconds(rule.until).toZonedDateTimeISO('UTC') }
      : {}),
    tzid: rule.zone,
    dtstart,
  });
  const all = engine.all((_, i) => i <= MAX_SERIES_OCCURRENCES);
  if (all.length > MAX_SERIES_OCCURRENCES) throw tooMany();
  const excluded = new Set(rule.exdates);
  return all
    .map((z) => z.epochMilliseconds)
    .filter((ms) => !excluded.has(ms))
    .map((ms) => new Date(ms).toISOString());
}

/**
 * The rule text of a new series starting at `start` (a UTC instant) at the location's `zone`, repeating as
 * `pattern` says. DTSTART is `start`'s wall clock there. Throws RecurrenceError for a pattern outside the subset,
 * or a start inside an hour repeated by a fall-back change (its wall time would name the earlier instant).
 */
export function seriesRuleText(start: string, zone: string, pattern: SeriesPattern): string {
  if (!isTimeZone(zone)) throw invalid('Unknown time zone.');
  const ms = Date.parse(start);
  if (!Number.isFinite(ms)) throw invalid('The start is not a real time.');
  const wall = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
  if (wall.toPlainDateTime().toZonedDateTime(zone, { disambiguation: 'earlier' }).epochMilliseconds !== ms)
    throw invalid('A series cannot start in the hour repeated by a daylight-saving change.');
  const until =
    pattern.until !== undefined ? Date.parse(localDaysRange(pattern.until, 1, zone).to) - 1000 : null;
  const rule: SeriesRule = {
    zone,
    dtstart: wall.toPlainDateTime().toString({ smallestUnit: 'second' }),
    freq: pattern.freq,
    interval: pattern.interval,
    count: pattern.count ?? null,
    until,
    exdates: [],
  };
  const text = formatSeriesRule(rule);
  parseSeriesRule(text); // the same checks the other side makes
  return text;
}

/** The rule with `instants` (UTC) excluded as EXDATEs (RFC 5545 §3.8.5.1): one occurrence cancelled or moved. */
export function withExdates(text: string, instants: readonly string[]): string {
  const rule = parseSeriesRule(text);
  const exdates = new Set(rule.exdates);
  for (const i of instants) exdates.add(Date.parse(i));
  return formatSeriesRule({ ...rule, exdates: [...exdates] });
}

/**
 * The rule ended before `instant` (UTC): UNTIL one second earlier, COUNT dropped (RFC 5545 forbids both), EXDATEs
 * after it dropped. Used to split a series at an occurrence ("this and following"): the earlier part keeps the
 * occurrences before it, exactly those it had.
 */
export function endedBefore(text: string, instant: string): string {
  const rule = parseSeriesRule(text);
  const cut = Date.parse(instant) - 1000;
  const until = rule.until !== null ? Math.min(rule.until, cut) : cut;
  return formatSeriesRule({
    ...rule,
    count: null,
    until,
    exdates: rule.exdates.filter((ms) => ms <= until),
  });
}

/**
 * Why `next` may not replace `previous` as a series' rule, or null: a stored series only shrinks (an EXDATE
 * added, an earlier end), so every occurrence of `next` is an occurrence of `previous` with the same DTSTART.
 * Throws RecurrenceError for a malformed or unbounded `next`.
 */
export function ruleChangeProblem(previous: string, next: string): string | null {
  const before = parseSeriesRule(previous);
  const after = parseSeriesRule(next);
  if (before.zone !== after.zone || before.dtstart !== after.dtstart)
    return 'A series keeps its start: split it instead.';
  const had = new Set(seriesOccurrences(before));
  return seriesOccurrences(after).every((o) => had.has(o))
    ? null
    : 'A series can only lose visits: book the new ones as a new series.';
}
