import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from './sse';

function parse(...chunks: string[]): SseEvent[] {
  const out: SseEvent[] = [];
  const p = new SseParser((e) => out.push(e));
  for (const c of chunks) p.feed(c);
  return out;
}

describe('SseParser', () => {
  it('parses the server poke stream (retry line, named events, heartbeat comments)', () => {
    const stream =
      'retry: 3000\n\nevent: poke\ndata: {"cursor":"12"}\n\n: heartbeat\n\nevent: poke\ndata: {"cursor":"15"}\n\n';
    expect(parse(stream)).toEqual([
      { event: 'poke', data: '{"cursor":"12"}', id: '' },
      { event: 'poke', data: '{"cursor":"15"}', id: '' },
    ]);
  });

  it('keeps the retry hint', () => {
    const p = new SseParser(() => undefined);
    p.feed('retry: 3000\n\n');
    expect(p.retryMs).toBe(3000);
    p.feed('retry: soon\n\n');
    expect(p.retryMs).toBe(3000);
  });

  it('handles CRLF, CR and LF line ends, also when CRLF is split across chunks', () => {
    expect(parse('event: poke\r\ndata: a\r\n\r\n')).toEqual([{ event: 'poke', data: 'a', id: '' }]);
    // A CR at the very end of the input may be the first half of a CRLF: eventsource-parser holds it until the
    // next byte (here a heartbeat comment; the server ends lines with LF and sends a heartbeat every 15 s).
    expect(parse('event: poke\rdata: b\r\r', ': hb\r')).toEqual([{ event: 'poke', data: 'b', id: '' }]);
    expect(parse('event: poke\r', '\ndata: c\r', '\n\r', '\n')).toEqual([
      { event: 'poke', data: 'c', id: '' },
    ]);
  });

  it('joins multi-line data, strips one leading space, defaults the type to message', () => {
    expect(parse('data:  two spaces\ndata:x\n\n')).toEqual([
      { event: 'message', data: ' two spaces\nx', id: '' },
    ]);
  });

  it('dispatches nothing for an event without data, and resets the type afterwards', () => {
    expect(parse('event: poke\n\ndata: z\n\n')).toEqual([{ event: 'message', data: 'z', id: '' }]);
  });

  it('ignores a BOM, comments, unknown fields and fields without a colon', () => {
    expect(parse('\uFEFF: hello\nfoo: bar\ndata\nevent: poke\n\n')).toEqual([
      { event: 'poke', data: '', id: '' },
    ]);
  });

  it('tracks the last event id', () => {
    expect(parse('id: 7\ndata: a\n\ndata: b\n\n').map((e) => e.id)).toEqual(['7', '7']);
  });

  it('does not dispatch an unterminated event at the end of input', () => {
    expect(parse('event: poke\ndata: a\n')).toEqual([]);
  });

  it('refuses an endless line instead of buffering it forever', () => {
    const p = new SseParser(() => undefined, 1000);
    expect(() => p.feed('data: ' + 'x'.repeat(2000))).toThrow(/too long/);
  });

  it('gives the same events however the stream is chunked', () => {
    const stream =
      'retry: 10\r\n\r\nevent: poke\r\ndata: {"cursor":"1"}\r\n\r\n: hb\n\nevent: poke\ndata: {"cursor":"2"}\n\n';
    const whole = parse(stream);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: string[] = [];
        let last = 0;
        for (const p of points) {
          chunks.push(stream.slice(last, p));
          last = p;
        }
        chunks.push(stream.slice(last));
        expect(parse(...chunks)).toEqual(whole);
      }),
    );
  });
});
