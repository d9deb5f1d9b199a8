import { describe, expect, it } from 'vitest';
import { foldText } from './text-fold';

/** Expected folds written by hand, one or more per script (issue 14, deliverable 6). */
const CASES: [script: string, input: string, folded: string][] = [
  ['ASCII', 'Blood PRESSURE 120/80', 'blood pressure 120/80'],
  ['Latin diacritics', 'Crème Brûlée NAÏVE Ångström', 'creme brulee naive angstrom'],
  ['Latin sharp s', 'Straße STRASSE ẞ', 'strasse strasse ss'],
  ['Latin ligature + full width', 'ﬁle Ｍｒ', 'file mr'],
  ['Turkish dotted capital İ', 'İSTANBUL', 'istanbul'],
  ['Turkish dotless ı', 'ışık IŞIK Işık', 'isik isik isik'],
  ['Cyrillic', 'ЁЛКА Ёлка ёлка', 'елка елка елка'],
  ['Greek tonos + final sigma', 'ΟΔΟΣ οδός Οδός', 'οδοσ οδοσ οδοσ'],
  ['Greek dialytika', 'ΐ Ϊ', 'ι ι'],
  ['Arabic harakat + hamza on alef', 'مُحَمَّد أحمد إسلام آمن', 'محمد احمد اسلام امن'],
  ['Arabic tatweel', 'كتـــاب', 'كتاب'],
  ['Hebrew niqqud', 'שָׁלוֹם', 'שלום'],
  ['Devanagari nukta', 'ज़रूरत', 'जररत'],
  ['Japanese half-width katakana', 'ｸｽﾘ ｶﾞｽ', 'クスリ ガス'],
  ['Japanese voicing marks kept', 'ガス カス', 'ガス カス'],
  ['Chinese unchanged', '头痛', '头痛'],
  ['Korean composed', '한국어', '한국어'],
  ['Format characters', 'soft\u00adware zero\u200bwidth', 'software zerowidth'],
];

describe('foldText', () => {
  it.each(CASES)('%s: %s', (_script, input, folded) => {
    expect(foldText(input)).toBe(folded);
  });

  it('is idempotent and leaves no upper case or nonspacing mark', () => {
    for (const [, input] of CASES) {
      const once = foldText(input);
      expect(foldText(once)).toBe(once);
      expect(once).toBe(once.toLowerCase());
      expect(once.normalize('NFD').replace(/[\u3099\u309a]/g, '')).not.toMatch(/\p{Mn}/u);
    }
  });

  it('keeps template syntax and punctuation as text (folding is not parsing)', () => {
    expect(foldText('{{Provider}} ${X} {Clinic_Phone}')).toBe('{{provider}} ${x} {clinic_phone}');
    expect(foldText('')).toBe('');
  });
});
