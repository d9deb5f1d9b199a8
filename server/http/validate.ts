/** Zod validation of request parts; a failure is a 400 naming the fields, never the values. */
import type { z } from 'zod';
import { HttpError, describeZodError } from './errors';

export function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.output<S> {
  const result = schema.safeParse(where === 'body' ? value : (value ?? {}));
  if (!result.success) throw new HttpError(400, 'VALIDATION', describeZodError(where, result.error));
  return result.data;
}
