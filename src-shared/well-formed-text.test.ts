import { describe, expect, it } from 'vitest';
import {
  illFormedTextMessage,
  illFormedTextPath,
  parseWellFormedJson,
  safePathText,
} from './well-formed-text';

// Written as escapes so the file itself stays valid UTF-8.
const HIGH = '\ud83d'; // the first half of 😀 (U+1F600) alone
const LOW = '\ude00'; // its second half alone

describe('illFormedTextPath', () => {
  it('accepts well-formed text in every script, surrogate pairs included', () => {
    expect(illFormedTextPath('😀 Grüße, 你好, नमस्ते, 𝄞')).toBeNull();
    expect(illFormedTextPath({ a: ['x', { b: '😀', n: 1, t: true, z: null }], '𝄞key': 'v' })).toBeNull();
    expect(illFormedTextPath(undefined)).toBeNull();
    expect(illFormedTextPath('')).toBeNull();
  });

  it('finds a lone high or low surrogate, at the start, the end, and reversed pairs', () => {
    for (const text of [
      HIGH,
      LOW,
      `a${HIGH}`,
      `${LOW}a`,
      `${LOW}${HIGH}`,
      `😀${HIGH}😀`,
      `x${HIGH}${HIGH}${LOW}`,
    ])
      expect(illFormedTextPath({ body: text }), JSON.stringify(text)).toEqual(['body']);
    expect(illFormedTextPath(`a${HIGH}`)).toEqual([]);
  });

  it('names the path of the first ill-formed text, through arrays and objects, keys included', () => {
    expect(illFormedTextPath({ mutations: [{ ok: 'x' }, { mutation: { body: `hi${LOW}` } }] })).toEqual([
      'mutations',
      1,
      'mutation',
      'body',
    ]);
    expect(illFormedTextPath({ fields: { [`k${HIGH}`]: 'v' } })).toEqual(['fields', `k${HIGH}`]);
  });

  it('leaves a top-level key to the caller when asked, and only at the top', () => {
    const push = { deviceId: 'dev-1', mutations: [{ body: HIGH }] };
    expect(illFormedTextPath(push, 'mutations')).toBeNull();
    expect(illFormedTextPath({ ...push, deviceId: HIGH }, 'mutations')).toEqual(['deviceId']);
    expect(illFormedTextPath({ outer: { mutations: [HIGH] } }, 'mutations')).toEqual([
      'outer',
      'mutations',
      0,
    ]);
  });

  it('walks input nested far deeper than the call stack allows, without overflowing it', () => {
    let deep: unknown = `x${HIGH}`;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const path = illFormedTextPath(deep);
    expect(path).toHaveLength(200_000);
    expect(path!.every((p) => p === 0)).toBe(true);
  });

  it('walks a shared or cyclic object once (structured clone keeps both), and still finds what is in it', () => {
    const cyclic: Record<string, unknown> = { ok: 'x' };
    cyclic.self = cyclic;
    expect(illFormedTextPath({ a: cyclic })).toBeNull();
    cyclic.bad = `y${LOW}`;
    expect(illFormedTextPath({ a: cyclic })).toEqual(['a', 'bad']);
    // 2^60 paths to the same leaf: walked as 61 objects.
    let shared: unknown = { leaf: 'fine' };
    for (let i = 0; i < 60; i++) shared = { l: shared, r: shared };
    expect(illFormedTextPath(shared)).toBeNull();
  });

  it('does not read binary data as text', () => {
    expect(illFormedTextPath({ bytes: new Uint8Array([0xed, 0xa0, 0x80]) })).toBeNull();
  });
});

describe('safePathText and illFormedTextMessage', () => {
  it('repeat identifiers and indexes only, never other text a client sent', () => {
    expect(safePathText('body', ['mutations', 3, 'mutation', 'body'])).toBe('body.mutations.3.mutation.body');
    expect(safePathText('body', ['Jane Roe 1970-01-01', `k${HIGH}`, ''])).toBe('body.?.?.?');
    expect(illFormedTextMessage('', ['body'])).toBe(
      'body: text that is not valid Unicode (a lone UTF-16 surrogate)',
    );
    expect(illFormedTextMessage('', [])).toBe(
      '(input): text that is not valid Unicode (a lone UTF-16 surrogate)',
    );
  });
});

describe('parseWellFormedJson', () => {
  it('is JSON.parse with each lone surrogate as U+FFFD, pairs and other text kept', () => {
    const text = JSON.stringify({
      reason: `a${HIGH}b`,
      list: [LOW, '😀'],
      n: 1,
      nested: { t: `${LOW}${HIGH}` },
    });
    expect(parseWellFormedJson(text)).toEqual({
      reason: 'a\ufffdb',
      list: ['\ufffd', '😀'],
      n: 1,
      nested: { t: '\ufffd\ufffd' },
    });
    expect(() => parseWellFormedJson('{')).toThrow(SyntaxError);
  });
});
