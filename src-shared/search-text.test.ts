/**
 * Index side and query side of search agree (issue 14, deliverable 6): a message is always found by any of its
 * own words, typed in another case or normalization form, in any script (property-based, fast-check), and the
 * fold does not depend on how the text was typed (upper case, decomposed, compatibility forms).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldText } from './text-fold';
import { MIN_PREFIX_LENGTH, MIN_WORD_LENGTH, indexTextOf, parseSearch } from './search-text';

/** Letters of the scripts the issue names, with their marks, plus spaces and punctuation. */
const ALPHABET = [
  ...'aeiouzAEIOUZßẞçÇñÑåÅøØıİiIşŞğĞ',
  ...'абвгдеёжзийклмнопрстуфхцчшщъыьэюяЁЙ',
  ...'αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώΐΰΆΈΉΊΌΎΏΣ',
  ...'ابتثجحخدذرسشصضطظعغفقكلمنهويأإآةى\u064e\u064f\u0650\u0651\u0652\u0640',
  ...'אבגדהוזחטיכלמנסעפצקרשת\u05b0\u05b4\u05b7\u05b8\u05bc\u05c1',
  ...'कखगघचजटडतदनपबमयरलवसह\u093e\u093f\u0940\u0941\u0947\u094b\u094d\u093c\u0902\u095b',
  ...'头痛发烧我今天很厉害頭が痛いですクスリｸｽﾘｶﾞ한국어',
  ...'   .,!?-"\'(){}$*\u00ad\u200c',
];
const text = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 40 }).map((a) => a.join(''));

const GRAMS = '\\p{scx=Han}\\p{scx=Hira}\\p{scx=Kana}\\p{scx=Hang}';
const GRAM_CHAR = new RegExp(`^[${GRAMS}]`, 'u');

/** What FTS5 would match for a term in one column (tokens split on spaces: the index text is pre-split). */
function matches(column: string, token: string, prefix: boolean): boolean {
  return column.split(/[^\p{L}\p{N}\p{M}\p{Co}]+/u).some((t) => (prefix ? t.startsWith(token) : t === token));
}

describe('index and query sides', () => {
  it('a message is found by each of its words, typed upper-case, decomposed or compatibility-composed', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('upper', 'NFD', 'NFKC', 'same'), (body, form) => {
        const typed =
          form === 'upper' ? body.toUpperCase() : form === 'same' ? body : body.normalize(form as 'NFD');
        const index = indexTextOf(body);
        for (const term of parseSearch(typed).terms) {
          const column = term.column === 'words' ? index.words : index.grams;
          if (!matches(column, term.token, term.prefix)) return false;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('a message is found by the beginning of any of its words, typed in upper case (search as you type)', () => {
    const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), (body, pick, cut) => {
        const words = body.split(/[^\p{L}\p{N}\p{M}\p{Co}\p{Cf}]+/u).filter((w) => w.length > 0);
        if (words.length === 0) return true;
        const word = [...graphemes.segment(words[pick % words.length]!)].map((g) => g.segment);
        const n = Math.min(word.length, 3 + (cut % 8));
        // Half-width kana voicing marks are letters of their own: a cut before one changes the kana.
        if (/^[\uff9e\uff9f]/.test(word[n] ?? '')) return true;
        const typed = word.slice(0, n).join('').toUpperCase();
        // By design a one- or two-letter piece matches whole words only (MIN_PREFIX_LENGTH): a cut that leaves
        // such a piece before more letters of the same word is not a prefix search.
        const tail = new RegExp(`[^${GRAMS}]*$`, 'u').exec(foldText(typed))![0];
        if (n < word.length && !GRAM_CHAR.test(word[n]!) && [...tail].length < MIN_PREFIX_LENGTH) return true;
        const index = indexTextOf(body);
        return parseSearch(typed).terms.every((term) =>
          matches(term.column === 'words' ? index.words : index.grams, term.token, term.prefix),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('folds the same whatever form the text was typed in', () => {
    fc.assert(
      fc.property(text, (s) => {
        const f = foldText(s);
        return foldText(s.toUpperCase()) === f && foldText(s.normalize('NFD')) === f && foldText(f) === f;
      }),
      { numRuns: 2000 },
    );
  });

  it('searches nothing for one letter, whole words for two, prefixes from three', () => {
    expect(parseSearch('i').terms).toEqual([]);
    expect(MIN_WORD_LENGTH).toBe(2);
    expect(parseSearch('BP').terms).toEqual([{ column: 'words', token: 'bp', prefix: false }]);
    expect(parseSearch('Héad').terms).toEqual([{ column: 'words', token: 'head', prefix: true }]);
    expect(parseSearch('痛').terms).toEqual([{ column: 'grams', token: '痛', prefix: true }]);
    expect(parseSearch('头痛得').terms).toEqual([
      { column: 'grams', token: '头痛', prefix: false },
      { column: 'grams', token: '痛得', prefix: false },
    ]);
  });

  it('indexes CJK runs as bigrams plus the last character, beside the words', () => {
    expect(indexTextOf('MRI検査の結果')).toEqual({ words: 'mri ', grams: '検査 査の の結 結果 果' });
    expect(indexTextOf('Plain text')).toEqual({ words: 'plain text', grams: '' });
  });
});
