/**
 * Full-text search words, the same on the index side and the query side (issue 14, deliverable 6). Both sides
 * fold with foldText (text-fold.ts) and split the folded text the same way:
 *
 * - Words: maximal runs of letters, digits and combining marks (Unicode categories L, N, M, Co), exactly the
 *   characters the store's FTS5 tokenizer keeps (`unicode61 remove_diacritics 0 categories 'L* N* Co M*'`).
 * - Scripts written without spaces between words (GRAM_SCRIPTS: Chinese, Japanese, Korean Hangul, Thai, Lao,
 *   Khmer, Myanmar) are indexed as overlapping two-character grams instead: a run "头痛得" is stored as the
 *   grams "头痛 痛得 得" (every bigram, plus the run's last character alone, so every character starts one
 *   gram). A search for a run of two or more characters asks for all of its bigrams; a search for one
 *   character asks for the grams starting with it. This is the CJK bigram scheme of Lucene's CJKAnalyzer,
 *   kept in a column beside the word index; like it, it can match a message holding every bigram of the
 *   searched run but not the run itself (rare; such a thread is listed without a snippet).
 *
 * Search words: at most MAX_TERMS; a word of one character (outside GRAM_SCRIPTS) is not searched (it matched
 * almost every message: 50-70 ms at 200k messages, DESIGN.md §10 asks < 20 ms); a word of two characters
 * matches whole words ("bp", "gp"); from three characters on, words match as prefixes ("hea" finds "headache").
 * Search text is never query syntax: quotes, operators and brackets are separators.
 */
import { foldText } from './text-fold';

/** The most words (or runs of GRAM_SCRIPTS) a search uses; the rest are ignored. */
export const MAX_TERMS = 8;
/** Shorter words (outside GRAM_SCRIPTS) are not searched. */
export const MIN_WORD_LENGTH = 2;
/** Words this long or longer match as prefixes; shorter ones as whole words. */
export const MIN_PREFIX_LENGTH = 3;
/** The longest run of GRAM_SCRIPTS characters a search uses (a pasted sentence is cut). */
const MAX_GRAM_RUN = 32;

/** Scripts without spaces between words, indexed as character bigrams (by Script_Extensions). */
const GRAM_SCRIPTS = 'Han Hiragana Katakana Hangul Thai Lao Khmer Myanmar'.split(' ');
const GRAM_CLASS = GRAM_SCRIPTS.map((s) => `\\p{scx=${s}}`).join('');
const HAS_GRAM = new RegExp(`[${GRAM_CLASS}]`, 'u');
/** A maximal run of GRAM_SCRIPTS characters (punctuation of those scripts included; split below). */
const GRAM_RUN = new RegExp(`[${GRAM_CLASS}]+`, 'gu');
/** Characters that end a word: what the FTS tokenizer does not keep (see the module comment). */
const NOT_WORD = /[^\p{L}\p{N}\p{M}\p{Co}]+/u;

/** One term of a search: a token of the word index or of the gram index; `prefix` for a prefix match. */
export interface SearchTerm {
  column: 'words' | 'grams';
  token: string;
  prefix: boolean;
}

/** What to highlight in a message: a folded word (as prefix or whole) or a folded run of GRAM_SCRIPTS. */
export interface SearchHighlight {
  kind: 'word' | 'run';
  text: string;
  prefix: boolean;
}

/** A parsed search: terms ANDed together; nothing to search when `terms` is empty. */
export interface ParsedSearch {
  terms: SearchTerm[];
  highlights: SearchHighlight[];
}

/** The grams of one folded run of GRAM_SCRIPTS letters: every bigram, then the last character alone. */
function gramsOf(run: string): string[] {
  const chars = [...run];
  const grams: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) grams.push(chars[i]! + chars[i + 1]!);
  if (chars.length > 0) grams.push(chars[chars.length - 1]!);
  return grams;
}

/** Runs of word characters in a GRAM_SCRIPTS run (which may hold that script's punctuation). */
const piecesOf = (run: string): string[] => run.split(NOT_WORD).filter((p) => p.length > 0);

/**
 * The index side: what the store writes for a message `body` into the word column (`words`: folded text with
 * GRAM_SCRIPTS runs blanked) and the gram column (`grams`: space-separated grams, '' if none). Pure.
 */
export function indexTextOf(body: string): { words: string; grams: string } {
  const folded = foldText(body);
  if (!HAS_GRAM.test(folded)) return { words: folded, grams: '' };
  const grams: string[] = [];
  const words = folded.replace(GRAM_RUN, (run) => {
    for (const piece of piecesOf(run)) grams.push(...gramsOf(piece));
    return ' ';
  });
  return { words, grams: grams.join(' ') };
}

/** The query side: the terms of a search as typed (see the module comment for the rules). Pure; never throws. */
export function parseSearch(text: string): ParsedSearch {
  const folded = foldText(text);
  const terms: SearchTerm[] = [];
  const highlights: SearchHighlight[] = [];
  const seen = new Set<string>();
  const add = (h: SearchHighlight, t: SearchTerm[]) => {
    const key = `${h.kind}:${h.text}`;
    if (seen.has(key) || highlights.length >= MAX_TERMS) return;
    seen.add(key);
    highlights.push(h);
    for (const term of t) {
      if (!terms.some((x) => x.column === term.column && x.token === term.token && x.prefix === term.prefix))
        terms.push(term);
    }
  };
  // In order of appearance: word runs and GRAM_SCRIPTS runs.
  for (const piece of folded.split(NOT_WORD)) {
    if (piece.length === 0) continue;
    let last = 0;
    for (const m of piece.matchAll(GRAM_RUN)) {
      addWord(piece.slice(last, m.index), add);
      const run = [...m[0]].slice(0, MAX_GRAM_RUN).join('');
      // One character: the grams starting with it; more: all of the run's bigrams.
      const single = [...run].length === 1;
      const grams = single ? [run] : gramsOf(run).slice(0, -1);
      add(
        { kind: 'run', text: run, prefix: false },
        grams.map((token) => ({ column: 'grams', token, prefix: single })),
      );
      last = m.index + m[0].length;
    }
    addWord(piece.slice(last), add);
  }
  return { terms, highlights };
}

function addWord(word: string, add: (h: SearchHighlight, t: SearchTerm[]) => void): void {
  const length = [...word].length;
  if (length < MIN_WORD_LENGTH) return;
  const prefix = length >= MIN_PREFIX_LENGTH;
  add({ kind: 'word', text: word, prefix }, [{ column: 'words', token: word, prefix }]);
}

/**
 * The words of an indexed message's word text (indexTextOf's `words`), split as the store's FTS5 tokenizer splits
 * it: the vocabulary prefixes are completed from (src-main/store/repos/search-index.ts). Pure.
 */
export const wordsOf = (words: string): string[] => words.split(NOT_WORD).filter((w) => w.length > 0);

/** True when `text` has something to search (the console shows "type at least 2 letters" otherwise). */
export const isSearchable = (text: string): boolean => parseSearch(text).terms.length > 0;

/* ---------------- snippets ---------------- */

/** Runs of characters the index keeps, plus format characters (a soft hyphen does not split a word). */
const UNIT_TOKEN = /[\p{L}\p{N}\p{M}\p{Co}\p{Cf}]+/gu;
const IS_GRAM_CHAR = new RegExp(`^[${GRAM_CLASS}]$`, 'u');
const IS_MARK = /^[\p{M}\p{Cf}]$/u;
const SNIPPET_UNITS = 12;

interface Unit {
  start: number;
  end: number;
  folded: string;
  gram: boolean;
  hit: boolean;
}

/** The units of a message: words, and single characters (with their marks) of GRAM_SCRIPTS runs. */
function unitsOf(body: string): Unit[] {
  const units: Unit[] = [];
  const anyGram = HAS_GRAM.test(body);
  for (const m of body.matchAll(UNIT_TOKEN)) {
    const token = m[0];
    if (!anyGram || !HAS_GRAM.test(token)) {
      units.push({
        start: m.index,
        end: m.index + token.length,
        folded: foldText(token),
        gram: false,
        hit: false,
      });
      continue;
    }
    let at = m.index;
    let current: { start: number; end: number; gram: boolean } | null = null;
    const flush = () => {
      if (current)
        units.push({ ...current, folded: foldText(body.slice(current.start, current.end)), hit: false });
      current = null;
    };
    for (const ch of token) {
      const gram = IS_GRAM_CHAR.test(ch);
      const mark = IS_MARK.test(ch);
      if (current && (mark || (!gram && !current.gram))) current.end = at + ch.length;
      else {
        flush();
        current = { start: at, end: at + ch.length, gram };
      }
      at += ch.length;
    }
    flush();
  }
  return units;
}

/** Marks the units a highlight matches; true if any. */
function markHits(units: Unit[], h: SearchHighlight): boolean {
  let any = false;
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    if (h.kind === 'word') {
      if (!u.gram && (h.prefix ? u.folded.startsWith(h.text) : u.folded === h.text)) {
        u.hit = true;
        any = true;
      }
      continue;
    }
    if (!u.gram) continue;
    let text = '';
    for (let j = i; j < units.length; j++) {
      const v = units[j]!;
      if (!v.gram || (j > i && v.start !== units[j - 1]!.end)) break;
      text += v.folded;
      if (text === h.text) {
        for (let k = i; k <= j; k++) units[k]!.hit = true;
        any = true;
        break;
      }
      if (!h.text.startsWith(text)) break;
    }
  }
  return any;
}

/**
 * Marks of a search hit in a snippet: private-use code points (Unicode §23.5), which snippetOf strips from the
 * message text first, so a patient's own "[lab]" or any other text can never read as a hit.
 */
export const HIT_OPEN = '\uE000';
export const HIT_CLOSE = '\uE001';
const HIT_MARKS = /[\uE000\uE001]/g;

/**
 * The snippet of the best-matching message: up to 12 units (words, or characters of GRAM_SCRIPTS runs) around
 * the matches, each run of matching text between HIT_OPEN and HIT_CLOSE (the message's own such code points
 * removed), '…' where text was cut; null when no message holds every highlight. Best = the message with every highlight and the most matching units, then the shortest.
 */
export function snippetOf(bodies: readonly string[], highlights: readonly SearchHighlight[]): string | null {
  let best: { body: string; units: Unit[]; hits: number } | null = null;
  for (const raw of bodies) {
    const body = raw.replace(HIT_MARKS, '');
    // Most messages of a thread do not match: rule them out on the folded text before splitting them.
    const folded = foldText(body);
    if (!highlights.every((h) => folded.includes(h.text))) continue;
    const units = unitsOf(body);
    if (!highlights.every((h) => markHits(units, h))) continue;
    const hits = units.filter((u) => u.hit).length;
    if (!best || hits > best.hits || (hits === best.hits && body.length < best.body.length)) {
      best = { body, units, hits };
    }
  }
  if (!best) return null;
  const { body, units } = best;
  // The window of SNIPPET_UNITS units with the most hits (earliest on a tie), then moved left a little so the
  // first hit has some context before it.
  let start = 0;
  let most = -1;
  let inWindow = 0;
  for (let i = 0; i < Math.min(SNIPPET_UNITS, units.length); i++) if (units[i]!.hit) inWindow++;
  for (let s = 0; s <= Math.max(0, units.length - SNIPPET_UNITS); s++) {
    if (s > 0) inWindow += (units[s + SNIPPET_UNITS - 1]?.hit ? 1 : 0) - (units[s - 1]!.hit ? 1 : 0);
    if (inWindow > most) {
      most = inWindow;
      start = s;
    }
  }
  const window = units.slice(start, start + SNIPPET_UNITS);
  const firstHit = start + window.findIndex((u) => u.hit);
  const lastHit = start + window.length - 1 - [...window].reverse().findIndex((u) => u.hit);
  const slack = SNIPPET_UNITS - (lastHit - firstHit + 1);
  start = Math.max(0, Math.min(firstHit - Math.floor(slack / 2), units.length - SNIPPET_UNITS));
  const end = Math.min(units.length, start + SNIPPET_UNITS);
  const joined = (a: Unit | undefined, b: Unit | undefined) =>
    !!a && !!b && a.hit && b.hit && a.end === b.start;
  let out = start > 0 ? '…' : '';
  let at = start > 0 ? units[start]!.start : 0;
  for (let i = start; i < end; i++) {
    const u = units[i]!;
    out += body.slice(at, u.start);
    const open = u.hit && !(i > start && joined(units[i - 1], u));
    const close = u.hit && (i + 1 >= end || !joined(u, units[i + 1]));
    out += `${open ? HIT_OPEN : ''}${body.slice(u.start, u.end)}${close ? HIT_CLOSE : ''}`;
    at = u.end;
  }
  out += end < units.length ? '…' : body.slice(at);
  return out;
}
