/**
 * The patient lookup index's language (issue 13 §8): the terms a patient is found by, and how a query typed at
 * the desk becomes terms to look up. Pure functions; the store keeps the terms in `patient_terms` (migration 8)
 * and src-main/store/repos/patients.ts ranks the matches.
 *
 * Terms are folded with src-shared/text-fold.ts (case- and accent-insensitive in every script).
 */
import { foldText } from '../../../src-shared/text-fold';

/** Lower-case letters with a non-decomposing stroke or ligature, and their base letters (foldName). */
const STROKED: Readonly<Record<string, string>> = {
  đ: 'd',
  ð: 'd',
  ł: 'l',
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ħ: 'h',
  ŧ: 't',
  þ: 'th',
  ŀ: 'l',
  ƀ: 'b',
  ɨ: 'i',
};
const STROKED_RE = new RegExp(`[${Object.keys(STROKED).join('')}]`, 'gu');

/**
 * A name folded for lookup: the console's one fold (src-shared/text-fold.ts, shared with message search), then
 * letters whose accent is a stroke or ligature with no Unicode decomposition (đ ł ø æ œ ħ þ ð) to their base
 * letters, as Lucene's ASCIIFoldingFilter and ICU's Latin-ASCII do, so "Lukasz" finds "Łukasz" and "Dordevic"
 * finds "Đorđević". (Proposed for foldText itself, with a TEXT_FOLD_VERSION bump; kept here meanwhile.)
 */
export function foldName(text: string): string {
  return foldText(text).replace(STROKED_RE, (c) => STROKED[c]!);
}

/** Letters and digits of any script as words: foldName, then split on everything else (space, "-", "'", ","). */
export function foldWords(text: string): string[] {
  return foldName(text)
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter((w) => w.length > 0);
}

/** What a term was made from; also the ranking's notion of "the right field" for a query word. */
export const TERM_FIELD = {
  given: 0,
  family: 1,
  /** The whole name without spaces, family name first ("李小龙", "nguyenkai"). */
  fullName: 2,
  birthDate: 3,
  phone: 4,
  mrn: 5,
} as const;
export type TermField = (typeof TERM_FIELD)[keyof typeof TERM_FIELD];

export interface PatientTerm {
  term: string;
  field: TermField;
}

/** Separates the family and given words in a sort key. */
export const SORT_KEY_SEPARATOR = '\u0001';

/**
 * A patient's folded name as "family words␁given words": the order of equally good matches (family name, then
 * given name), and what the other words of a multi-word query are checked against (patients.ts).
 */
export function sortKeyOf(p: { givenName: string; familyName: string }): string {
  return foldWords(p.familyName).join(' ') + SORT_KEY_SEPARATOR + foldWords(p.givenName).join(' ');
}

const digitsOf = (text: string): string => text.replace(/\D+/g, '');

/** Scripts written without spaces between words (names run family + given as one word). */
const UNSPACED_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u;

/** Every term a patient is found by (deduplicated). */
export function termsOf(p: {
  givenName: string;
  familyName: string;
  birthDate: string;
  phone: string | null;
  mrn: string;
}): PatientTerm[] {
  const out = new Map<string, PatientTerm>();
  const add = (term: string, field: TermField): void => {
    if (term && !out.has(`${field}\u0000${term}`)) out.set(`${field}\u0000${term}`, { term, field });
  };
  const given = foldWords(p.givenName);
  const family = foldWords(p.familyName);
  for (const w of given) add(w, TERM_FIELD.given);
  for (const w of family) add(w, TERM_FIELD.family);
  // "Garcia-Lopez" is also "garcialopez"; "O'Brien" also "obrien".
  if (given.length > 1) add(given.join(''), TERM_FIELD.given);
  if (family.length > 1) add(family.join(''), TERM_FIELD.family);
  // The whole name as one word, family name first, as it is written in scripts without spaces ("李小龙").
  // Only for those: for Latin and the like it would double every surname prefix scan (measured, bench).
  if (UNSPACED_SCRIPT.test(p.familyName + p.givenName))
    add(family.join('') + given.join(''), TERM_FIELD.fullName);
  if (/^\d{4}-\d{2}-\d{2}$/.test(p.birthDate)) add(p.birthDate, TERM_FIELD.birthDate);
  const phone = digitsOf(p.phone ?? '');
  if (phone.length >= 4) {
    add(phone, TERM_FIELD.phone);
    // Found without the country code and without the area code too.
    if (phone.length > 10) add(phone.slice(-10), TERM_FIELD.phone);
    if (phone.length > 7) add(phone.slice(-7), TERM_FIELD.phone);
  }
  const mrn = foldWords(p.mrn).join('');
  add(mrn, TERM_FIELD.mrn);
  const mrnDigits = /\d+$/.exec(mrn)?.[0];
  if (mrnDigits && mrnDigits !== mrn) add(mrnDigits, TERM_FIELD.mrn);
  return [...out.values()];
}

/** One word of a query: matched as an exact term or a prefix of one; `role` is the field it was typed as. */
export interface LookupWord {
  text: string;
  role: TermField | null;
}

/** A parsed query: words that must all match (any field), or dates of birth (any of them matches). */
export type Lookup = { kind: 'words'; words: LookupWord[] } | { kind: 'birthDate'; dates: string[] };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;

const pad2 = (n: number): string => String(n).padStart(2, '0');

function isoDate(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1850 || y > 2200) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

/** A two-digit year of birth is the latest year ending so that is not in the future. */
const fullYear = (y: string, thisYear: number): number => {
  if (y.length === 4) return Number(y);
  const n = Number(y);
  const century = Math.floor(thisYear / 100) * 100;
  return century + n > thisYear ? century - 100 + n : century + n;
};

const monthOf = (word: string): number => {
  const folded = foldName(word);
  const i = MONTHS.indexOf(folded.slice(0, 3) as (typeof MONTHS)[number]);
  return i < 0 || folded.length < 3 ? 0 : i + 1;
};

/**
 * The dates of birth a query may mean, ISO `YYYY-MM-DD`; [] when it is not a date. Formats: 1985-04-12,
 * 1985/04/12, 19850412, 04/12/1985 and 12/04/1985 (both readings when both are valid: the desk may be in the
 * US or not), 12.04.1985 (day first), two-digit years (04/12/85), "12 Apr 1985", "April 12, 1985".
 */
export function datesOf(query: string, thisYear: number): string[] {
  const q = query.trim();
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(q);
  if (m) return [isoDate(+m[1]!, +m[2]!, +m[3]!)].filter((d): d is string => d !== null);
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(q);
  if (m) return [isoDate(+m[1]!, +m[2]!, +m[3]!)].filter((d): d is string => d !== null);
  m = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})$/.exec(q);
  if (m) {
    const y = fullYear(m[4]!, thisYear);
    const a = +m[1]!;
    const b = +m[3]!;
    const readings = m[2] === '.' ? [isoDate(y, b, a)] : [isoDate(y, a, b), isoDate(y, b, a)]; // month first, then day first
    return [...new Set(readings.filter((d): d is string => d !== null))];
  }
  m = /^(\d{1,2})\.?\s+([\p{L}]+)\.?,?\s+(\d{4})$/u.exec(q);
  if (m && monthOf(m[2]!)) return [isoDate(+m[3]!, monthOf(m[2]!), +m[1]!)].filter((d): d is string => !!d);
  m = /^([\p{L}]+)\.?\s+(\d{1,2}),?\s+(\d{4})$/u.exec(q);
  if (m && monthOf(m[1]!)) return [isoDate(+m[3]!, monthOf(m[1]!), +m[2]!)].filter((d): d is string => !!d);
  return [];
}

/** A phone number as typed ("(555) 010-1234", "+1 555 0101"): its digits; null when the query is not one. */
function phoneDigits(query: string): string | null {
  if (!/^[+\d\s().\-/]+$/.test(query)) return null;
  const digits = digitsOf(query);
  return digits.length >= 3 ? digits : null;
}

/**
 * Parse what the desk typed: a date of birth, a phone number (its digits, also matched against MRN digits),
 * "Last, First" (words before the comma are the family name), or "First Last" / part of a name / an MRN (the
 * first word is expected to be the given name and the last the family name, for ranking only: every word must
 * match some term, in any field). `thisYear` resolves two-digit years.
 */
export function parseLookup(query: string, thisYear: number): Lookup {
  const dates = datesOf(query, thisYear);
  if (dates.length > 0) return { kind: 'birthDate', dates };
  const phone = phoneDigits(query.trim());
  if (phone) return { kind: 'words', words: [{ text: phone, role: TERM_FIELD.phone }] };
  const comma = query.indexOf(',');
  if (comma >= 0) {
    const family = foldWords(query.slice(0, comma)).map((text) => ({ text, role: TERM_FIELD.family }));
    const given = foldWords(query.slice(comma + 1)).map((text) => ({ text, role: TERM_FIELD.given }));
    return { kind: 'words', words: [...family, ...given] as LookupWord[] };
  }
  const words = foldWords(query);
  return {
    kind: 'words',
    words: words.map((text, i): LookupWord => ({
      text,
      role:
        words.length < 2
          ? null
          : i === 0
            ? TERM_FIELD.given
            : i === words.length - 1
              ? TERM_FIELD.family
              : null,
    })),
  };
}
