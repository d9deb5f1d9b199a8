/** Zod validation of request parts; a failure is a 400 naming the fields, never the values. */
import type { z } from 'zod';
import { illFormedTextMessage, illFormedTextPath } from '../../src-shared/well-formed-text';
import { HttpError, describeZodError } from './errors';

/**
 * A request part checked against `schema`: its value, or HttpError 400 VALIDATION naming the fields (never the
 * values). Text that is not well-formed Unicode anywhere in the schema's output (src-shared/well-formed-text.ts) is
 * refused the same way. `textCheckedLater`: a top-level key of the part whose text the route checks itself (the
 * push: each change is refused on its own, never the batch, DESIGN §5).
 */
export function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'params',
  textCheckedLater?: string,
): z.output<S> {
  const result = schema.safeParse(where === 'body' ? value : (value ?? {}));
  if (!result.success) throw new HttpError(400, 'VALIDATION', describeZodError(where, result.error));
  const illFormed = illFormedTextPath(result.data, textCheckedLater);
  if (illFormed)
    throw new HttpError(400, 'VALIDATION', `Invalid ${where}: ${illFormedTextMessage(where, illFormed)}`);
  return result.data;
}
