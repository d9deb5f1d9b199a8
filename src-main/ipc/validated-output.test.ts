/** Issue 16: the router validates a value marked unchanging (a cached inbox first page) once per schema. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { markUnchanging } from '../base/unchanging';
import { parseOutput } from './validated-output';

function counted() {
  let calls = 0;
  const schema = z.object({
    threads: z.array(z.object({ id: z.string(), at: z.string().transform((s) => (calls++, s.trim())) })),
  });
  return { schema, calls: () => calls };
}

describe('parseOutput', () => {
  it('validates an ordinary value at every call, into a new copy', () => {
    const { schema, calls } = counted();
    const value = { threads: [{ id: 't1', at: ' x ' }] };
    const a = parseOutput(schema, value);
    const b = parseOutput(schema, value);
    expect(a).toEqual({ threads: [{ id: 't1', at: 'x' }] });
    expect(a).not.toBe(b);
    expect(calls()).toBe(2);
  });

  it('validates an unchanging value once per schema and hands out one deep-frozen copy', () => {
    const { schema, calls } = counted();
    const other = counted();
    const value = markUnchanging({ threads: [{ id: 't1', at: ' x ' }] });
    const a = parseOutput(schema, value);
    expect(parseOutput(schema, value)).toBe(a);
    expect(calls()).toBe(1);
    expect(parseOutput(other.schema, value)).not.toBe(a);
    expect(other.calls()).toBe(1);
    expect(Object.isFrozen(a.threads[0])).toBe(true);
    expect(() => {
      (a.threads as { id: string }[]).push({ id: 't2' });
    }).toThrow(TypeError);
  });

  it('refuses an invalid unchanging value every time', () => {
    const { schema } = counted();
    const value = markUnchanging({ threads: [{ id: 7, at: 'x' }] });
    expect(() => parseOutput(schema, value)).toThrow(z.ZodError);
    expect(() => parseOutput(schema, value)).toThrow(z.ZodError);
  });
});
