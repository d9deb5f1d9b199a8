/**
 * One case- and accent-folding function for every script, used wherever text is matched against what a person
 * typed: the console's full-text index AND its query side (src-main/store/repos/search-index.ts), patient
 * lookup, and any server-side search. Index and query MUST use this same function, so that "what was stored"
 * and "what was typed" meet in the same folded form whatever the script (issue 14, deliverable 6).
 *
 * foldText(text) applies, in this order:
 * 1. Unicode NFKD (compatibility decomposition): "é" -> "e" + U+0301, "ﬁ" -> "fi", full-width "Ａ" -> "A",
 *    half-width katakana "ｶ" -> "カ", Arabic presentation forms -> base letters, "İ" -> "I" + U+0307.
 * 2. Full case folding (Unicode CaseFolding.txt statuses C + F), as lower -> upper -> lower case mapping,
 *    locale-independent: "ß" and "ẞ" -> "ss", "Σ" -> "σ", Cherokee, Georgian, Armenian, Cyrillic as usual.
 * 3. Removal of every nonspacing combining mark (general category Mn): Latin diacritics, Greek tonos and
 *    dialytika (and ypogegrammeni), Cyrillic "й"/"ё" marks, Arabic harakat (fatha, kasra, shadda, sukun, …) and
 *    hamza above/below on alef, Hebrew niqqud and cantillation, Devanagari nukta, virama, anusvara and the
 *    nonspacing vowel signs (ु ू े ै ृ; spacing vowel signs, category Mc, are kept).
 *    Exception: the Japanese voicing marks U+3099 / U+309A (dakuten, handakuten) are kept, so "ガ" (ga) and
 *    "カ" (ka) stay different words; after step 6 they are composed again ("ｶﾞ" and "ガ" both -> "ガ").
 * 4. Removal of format characters (category Cf: soft hyphen, zero-width (non-)joiners, bidi marks) and of
 *    the Arabic tatweel U+0640 (justification stretch), which would otherwise split or alter a word.
 * 5. Greek final sigma "ς" -> "σ", so a word matches whether or not it ends the text (JavaScript's
 *    toLowerCase turns a word-final "Σ" into "ς").
 * 6. Unicode NFC, so Hangul syllables and kana with voicing marks come out as one code point each.
 *
 * Turkish i, decided: the fold is locale-independent and maps all four Turkish i's to "i": "I" and "ı"
 * (dotless) and "İ" (dotted capital) and "i". Search must find "Işık", "ışık", "IŞIK" and "isik" alike,
 * whatever keyboard or locale the text was typed on; a search that conflates "ı" and "i" finds a few more
 * messages, never fewer (a Turkish-locale fold would make "I" -> "ı" and miss every Turkish name typed on a
 * non-Turkish keyboard).
 *
 * Properties relied upon (and tested in text-fold.test.ts): idempotent (foldText(foldText(x)) ===
 * foldText(x)); pure and synchronous; plain ASCII input is only lower-cased (a fast path: most messages);
 * the output never contains upper case or Mn marks (besides U+3099/U+309A before composition).
 *
 * API stable: `foldText` is shared with patient lookup (issue 13b); change the fold only together with
 * TEXT_FOLD_VERSION, which makes the console rebuild its search index.
 */

/** Bumped whenever foldText's output changes for some input: indexes built with another version are rebuilt. */
export const TEXT_FOLD_VERSION = 1;

/** Printable ASCII and common whitespace: the fast path (other control characters take the full path). */
const NOT_PLAIN_ASCII = /[^ -~\t\n\r]/;
/** Nonspacing marks except the kana voicing marks; format characters; Arabic tatweel. */
const DROPPED = /[^\P{Mn}\u3099\u309a]|\p{Cf}|\u0640/gu;
const FINAL_SIGMA = /ς/g;

/**
 * The case- and accent-folded form of `text` (any script), for matching: see the module comment for the
 * exact steps. Never throws; '' for ''. Lone surrogates pass through unchanged.
 */
export function foldText(text: string): string {
  if (!NOT_PLAIN_ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .toLowerCase()
    .toUpperCase()
    .toLowerCase()
    .replace(DROPPED, '')
    .replace(FINAL_SIGMA, 'σ')
    .normalize('NFC');
}
