/**
 * A pull answer's bytes as text (pull-decode.ts, textOfAnswer): plain ASCII is read as Latin-1, anything else as
 * UTF-8. Either way the text is what a UTF-8 decoder gives, for views at any offset of a larger buffer (the worker
 * receives transferred buffers). Expected texts are written by hand.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POOLS } from '../../src-shared/triage';
import { decodePullAnswer, textOfAnswer } from './pull-decode';

const bytesOf = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex.replace(/\s/g, ''), 'hex'));

describe('textOfAnswer', () => {
  it('reads plain ASCII, control characters and DEL included', () => {
    expect(textOfAnswer(bytesOf('7b 22 61 22 3a 31 7d'))).toBe('{"a":1}');
    expect(textOfAnswer(bytesOf('00 09 0a 1f 20 7e 7f'))).toBe('\u0000\t\n\u001f ~\u007f');
    expect(textOfAnswer(new Uint8Array(0))).toBe('');
  });

  it('reads UTF-8 as UTF-8, not byte by byte', () => {
    // "é" (c3 a9), "😷" (f0 9f 98 b7), U+2028 (e2 80 a8): Latin-1 would give 2, 4 and 3 characters.
    expect(textOfAnswer(bytesOf('22 c3 a9 f0 9f 98 b7 e2 80 a8 22'))).toBe('"é😷\u2028"');
    // A lone byte above 127 is not ASCII: UTF-8's replacement character, as the decoder always gave.
    expect(textOfAnswer(bytesOf('61 e9 62'))).toBe('a\ufffdb');
  });

  it('reads only the view it is given, at an offset of a larger buffer', () => {
    const whole = bytesOf('c3 a9 7b 7d c3 a9');
    expect(textOfAnswer(whole.subarray(2, 4))).toBe('{}');
    expect(textOfAnswer(whole.subarray(0, 3))).toBe('é{');
    expect(textOfAnswer(whole.subarray(3))).toBe('}é');
  });

  it('drops a byte-order mark at the start, as the decoder always did', () => {
    expect(textOfAnswer(bytesOf('ef bb bf 7b 7d'))).toBe('{}');
  });

  it('gives a text of its own, unchanged when the buffer it was read from is reused', () => {
    const reused = bytesOf('5b 31 5d 20');
    const text = textOfAnswer(reused.subarray(0, 3));
    reused.fill(0x78);
    expect(text).toBe('[1]');
  });

  it('gives what a UTF-8 decoder gives, for 3,000 seeded random inputs, mostly ASCII', () => {
    const decoder = new TextDecoder('utf-8');
    let seed = 16;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const bytes = Uint8Array.from({ length: random(40) }, () =>
        random(4) === 0 ? random(256) : random(128),
      );
      const at = random(4);
      const view = new Uint8Array([...Array<number>(at).fill(0xc3), ...bytes]).subarray(at);
      expect(textOfAnswer(view), `input ${i}`).toBe(decoder.decode(view));
    }
  });

  it('gives decodePullAnswer the same answer from an ASCII page and from the same page with an accent', () => {
    const page = (name: string) =>
      new TextEncoder().encode(
        JSON.stringify({
          changes: [{ entity: 'pool', id: 'clinical', data: { ...DEFAULT_POOLS[0], name, version: 1 } }],
          cursor: '7',
          hasMore: false,
          remaining: 0,
        }),
      );
    expect(decodePullAnswer(page('Nurses')).changes[0]!.data).toMatchObject({ name: 'Nurses' });
    expect(decodePullAnswer(page('Infirmières')).changes[0]!.data).toMatchObject({ name: 'Infirmières' });
  });
});
